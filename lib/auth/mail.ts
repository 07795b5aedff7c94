import type { Transporter } from "nodemailer";
import { config } from "@/lib/config";

const KEY = Symbol.for("tandem.mailer");
type G = typeof globalThis & { [KEY]?: { url: string; transporter: Promise<Transporter> } };

/** One pooled transporter per SMTP_URL, created on first use. */
async function transporter(url: string): Promise<Transporter> {
  const g = globalThis as G;
  if (g[KEY]?.url !== url) g[KEY] = { url, transporter: import("nodemailer").then((m) => m.default.createTransport(url)) };
  return g[KEY].transporter;
}

export type Mail = { to: string; subject: string; text: string };

/** Sends over SMTP_URL; without SMTP the message is printed to the server log (self-hosted / development). */
export async function sendMail(mail: Mail): Promise<void> {
  const { SMTP_URL, MAIL_FROM } = config();
  if (!SMTP_URL) {
    console.log(`[mail] to=${mail.to} subject="${mail.subject}"\n${mail.text}`);
    return;
  }
  await (await transporter(SMTP_URL)).sendMail({ from: MAIL_FROM, ...mail });
}
