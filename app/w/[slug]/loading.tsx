import { Skeleton } from "@/components/ui/Skeleton";

/** Shown inside the shell while a workspace page loads (the sidebar stays put). */
export default function Loading() {
  return (
    <main id="main" aria-busy="true">
      <div className="skeleton" aria-hidden="true" style={{ width: "12rem", height: "1.8rem", marginBottom: "1.5rem" }} />
      <Skeleton lines={5} />
    </main>
  );
}
