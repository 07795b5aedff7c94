import { Children, cloneElement, isValidElement, type ReactElement, type ReactNode } from "react";

/** Stamps each cell of a row with its column's name (`data-label`), shown before the value when rows stack on a phone. */
function labelled(row: ReactNode, labels: string[]): ReactNode {
  if (!isValidElement(row)) return row;
  const tr = row as ReactElement<{ children?: ReactNode }>;
  const cells = Children.toArray(tr.props.children).map((c, i) => (isValidElement(c) ? cloneElement(c as ReactElement<Record<string, unknown>>, { "data-label": labels[i] ?? "" }) : c));
  return cloneElement(tr, undefined, cells);
}

/**
 * A list's table: the `empty` node when there are no items, else a header row naming the columns and one `row(item)`
 * (a keyed <tr>) per item. On a phone the rows stack, each value labelled by its column; the wrapper scrolls
 * sideways on its own if ever needed (the page never does).
 */
export function Table<T>(props: { label?: string; columns: ReactNode[]; items: readonly T[]; empty?: ReactNode; row: (item: T) => ReactNode }) {
  if (props.items.length === 0 && props.empty !== undefined) {
    return typeof props.empty === "string" ? <p className="muted">{props.empty}</p> : <>{props.empty}</>;
  }
  const labels = props.columns.map((c) => (typeof c === "string" ? c : ""));
  return (
    <div className="table-wrap">
      <table aria-label={props.label} className="responsive">
        <thead>
          <tr>
            {props.columns.map((c, i) => (
              <th key={i} scope="col">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{props.items.map((item) => labelled(props.row(item), labels))}</tbody>
      </table>
    </div>
  );
}

/** Kept for existing callers. */
export const ListTable = Table;
