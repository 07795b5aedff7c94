import type { ReactNode } from "react";

/**
 * A list's table inside a wrapper that scrolls sideways on its own (the page never does): the `empty` node when
 * there are no items, else a header row naming the columns and one `row(item)` (a keyed <tr>) per item.
 */
export function Table<T>(props: { label?: string; columns: ReactNode[]; items: readonly T[]; empty?: ReactNode; row: (item: T) => ReactNode }) {
  if (props.items.length === 0 && props.empty !== undefined) {
    return typeof props.empty === "string" ? <p className="muted">{props.empty}</p> : <>{props.empty}</>;
  }
  return (
    <div className="table-wrap">
      <table aria-label={props.label}>
        <thead>
          <tr>
            {props.columns.map((c, i) => (
              <th key={i} scope="col">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{props.items.map(props.row)}</tbody>
      </table>
    </div>
  );
}

/** Kept for existing callers. */
export const ListTable = Table;
