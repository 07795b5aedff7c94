"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { useEffect, useState, type ReactNode } from "react";

export type ShellWorkspace = { slug: string; name: string };

export const SECTIONS = [
  ["", "Home"],
  ["issues", "Issues"],
  ["agents", "Agents"],
  ["squads", "Squads"],
  ["autopilots", "Autopilots"],
  ["chat", "Chat"],
  ["runtimes", "Runtimes"],
] as const;

/** Whether `pathname` is inside the section at `href` (Home only matches exactly; the others match their subtree). */
export function isCurrent(pathname: string, href: string, exact: boolean): boolean {
  return exact ? pathname === href : pathname === href || pathname.startsWith(`${href}/`);
}

/**
 * The workspace app shell: a sidebar (workspace switcher, sections with the active one marked `aria-current`,
 * account links) that becomes a menu behind a button under 800 px, and the page beside it.
 */
export function AppShell(props: { workspace: ShellWorkspace; workspaces: ShellWorkspace[]; footer: ReactNode; children: ReactNode }) {
  const pathname = usePathname();
  const [open, setOpen] = useState(false);
  const base = `/w/${props.workspace.slug}`;
  useEffect(() => setOpen(false), [pathname]);
  // Escape closes the open menu and gives focus back to its button, as a disclosure is expected to.
  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== "Escape") return;
      setOpen(false);
      document.querySelector<HTMLButtonElement>('button[aria-controls="sidebar"]')?.focus();
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [open]);
  return (
    <div className="shell">
      <div className="mobile-bar">
        <span className="brand">{props.workspace.name}</span>
        <button type="button" className="secondary small" aria-expanded={open} aria-controls="sidebar" onClick={() => setOpen((o) => !o)}>
          {open ? "Close menu" : "Menu"}
        </button>
      </div>
      <aside id="sidebar" className={open ? "sidebar open" : "sidebar"} aria-label="Sidebar">
        <details
          className="switcher"
          onKeyDown={(e) => {
            // Escape closes the open switcher (first; the mobile menu around it stays) and focus returns to its summary.
            const details = e.currentTarget;
            if (e.key !== "Escape" || !details.open) return;
            e.stopPropagation();
            details.open = false;
            details.querySelector("summary")?.focus();
          }}
        >
          <summary>
            <span className="visually-hidden">Workspace: </span>
            <strong>{props.workspace.name}</strong>
          </summary>
          <nav aria-label="Workspaces">
            <ul>
              {props.workspaces.map((w) => (
                <li key={w.slug}>
                  <Link href={`/w/${w.slug}`} prefetch={false} aria-current={w.slug === props.workspace.slug ? "true" : undefined}>
                    {w.name}
                  </Link>
                </li>
              ))}
              <li>
                <Link href="/workspaces">All workspaces…</Link>
              </li>
            </ul>
          </nav>
        </details>
        <nav aria-label="Workspace">
          <ul>
            {SECTIONS.map(([path, label]) => {
              const href = path ? `${base}/${path}` : base;
              return (
                <li key={path}>
                  {/* No prefetch: a live page's refresh would fetch every section again, every few seconds. */}
                  <Link href={href} prefetch={false} aria-current={isCurrent(pathname, href, path === "") ? "page" : undefined}>
                    {label}
                  </Link>
                </li>
              );
            })}
          </ul>
        </nav>
        <div className="sidebar-footer">{props.footer}</div>
      </aside>
      <div className="shell-main">{props.children}</div>
    </div>
  );
}
