/** What one email may hold; the compose form shows these, queueEmail enforces them. */
export const OUTBOX_LIMITS = {
  /** All attachments together, forwarded ones included (decoded bytes). */
  attachmentBytes: 10 * 1024 * 1024,
  attachmentCount: 20,
  /** To, Cc and Bcc together. */
  recipients: 100,
  subjectChars: 500,
  bodyChars: 500_000,
  filenameChars: 200,
} as const;

/** "10 MB": a byte count for people. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(bytes % (1024 * 1024) === 0 ? 0 : 1)} MB`;
  if (bytes >= 1024) return `${Math.ceil(bytes / 1024)} KB`;
  return `${bytes} bytes`;
}
