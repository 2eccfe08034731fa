/** Why a handed-in message was refused; each maps to one HTTP status (and a CLI exit code). */
export type IngestRefusalCode = "bad_token" | "unknown_mailbox" | "not_router" | "too_large" | "not_a_message";

export const ingestRefusalStatus: Record<IngestRefusalCode, number> = {
  bad_token: 401,
  unknown_mailbox: 404,
  not_router: 409,
  too_large: 413,
  not_a_message: 422,
};

/**
 * A refused ingest: a code (rendered from the catalogue, key `ingest.refused.<code>`)
 * and its parameters; nothing was stored.
 */
export class IngestRefusal extends Error {
  constructor(
    readonly code: IngestRefusalCode,
    readonly params: Record<string, string | number> = {},
  ) {
    super(`ingest refused: ${code}`);
    this.name = "IngestRefusal";
  }

  get status(): number {
    return ingestRefusalStatus[this.code];
  }
}
