import type { ButtonHTMLAttributes } from "react";

export type ButtonVariant = "primary" | "secondary" | "ghost" | "destructive";

/** The one button: `variant` picks the look (destructive for irreversible actions), `small` for table rows. */
export function Button({ variant = "primary", small = false, className, type = "button", ...rest }: ButtonHTMLAttributes<HTMLButtonElement> & { variant?: ButtonVariant; small?: boolean }) {
  const classes = [variant === "primary" ? "" : variant, small ? "small" : "", className ?? ""].filter(Boolean).join(" ");
  return <button type={type} className={classes || undefined} {...rest} />;
}
