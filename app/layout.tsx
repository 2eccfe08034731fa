import type { Metadata } from "next";
import type { ReactNode } from "react";
import { getLocale } from "@/lib/server/locale";
import "./globals.css";
import { TimeZoneCookie } from "@/components/shell/time-zone-cookie";

export const metadata: Metadata = { title: "Mailroom", description: "Server-side synchronisation of your organisation's mailboxes" };

export default async function RootLayout({ children }: { children: ReactNode }) {
  const locale = await getLocale();
  return (
    <html lang={locale}>
      <body className="min-h-screen">
        <TimeZoneCookie />
        {children}
      </body>
    </html>
  );
}
