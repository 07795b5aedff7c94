import type { ReactNode } from "react";

/**
 * A list page's table: the `empty` note (muted) when there are no items, else a table whose header row names the
 * columns and whose body is one `row(item)` (a keyed <tr>) per item.
 */
export function ListTable<T>(props: { label?: string; columns: ReactNode[]; items: readonly T[]; empty?: string; row: (item: T) => ReactNode }) {
  if (props.items.length === 0 && props.empty !== undefined) return <p className="muted">{props.empty}</p>;
  return (
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
  );
}
