/** A loading placeholder: `lines` grey bars (hidden from assistive technology) and a "Loading…" text for it. */
export function Skeleton({ lines = 3, label = "Loading…" }: { lines?: number; label?: string }) {
  return (
    <div>
      <span className="visually-hidden">{label}</span>
      {Array.from({ length: lines }, (_, i) => (
        <div key={i} aria-hidden="true" className="skeleton" style={{ width: `${90 - i * 15}%` }} />
      ))}
    </div>
  );
}
