import Link from "next/link";

/** Where a detail page sits: links up the hierarchy, the last item (this page) marked `aria-current`. */
export function Breadcrumbs({ items }: { items: ReadonlyArray<{ href?: string; label: string }> }) {
  return (
    <nav aria-label="Breadcrumb" className="breadcrumbs">
      <ol>
        {items.map((it, i) => (
          <li key={i}>
            {it.href && i < items.length - 1 ? <Link href={it.href}>{it.label}</Link> : <span aria-current="page">{it.label}</span>}
          </li>
        ))}
      </ol>
    </nav>
  );
}
