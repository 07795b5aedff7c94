import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as sendCode } from "@/app/api/auth/send-code/route";
import { resetConfigForTests } from "@/lib/config";
import { call, uniqueEmail } from "./helpers/api";
import { startSmtpSink } from "./helpers/smtp-sink";

let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
beforeAll(async () => {
  smtp = await startSmtpSink();
  process.env.SMTP_URL = smtp.url;
  process.env.MAIL_FROM = "Tandem <login@tandem.test>";
  resetConfigForTests();
});
afterAll(async () => {
  delete process.env.SMTP_URL;
  delete process.env.MAIL_FROM;
  resetConfigForTests();
  await smtp.close();
});

describe("mail over SMTP", () => {
  it("send-code mails the 6-digit code through SMTP_URL", async () => {
    const email = uniqueEmail("smtp");
    expect((await call(sendCode, { body: { email } })).status).toBe(200);
    const mail = smtp.mails.find((m) => m.to.includes(email));
    expect(mail?.from).toBe("login@tandem.test");
    expect(mail?.raw).toMatch(/verification code is \d{6}/);
  });
});
