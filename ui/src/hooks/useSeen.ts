// Whether an element has come near the viewport (once seen, always seen): lets long lists ask
// the server about their rows as they scroll into view rather than all at once.
import { useCallback, useState, type RefCallback } from "react";

/** A ref for the element and whether it has been within `margin` of the viewport yet. */
export function useSeen<T extends Element>(margin = "200px"): [RefCallback<T>, boolean] {
  // Without IntersectionObserver (old browsers, jsdom) everything counts as seen.
  const [seen, setSeen] = useState(() => typeof IntersectionObserver === "undefined");
  const ref = useCallback(
    (el: T | null) => {
      if (!el || seen) return undefined;
      const observer = new IntersectionObserver(
        (entries) => {
          if (entries.some((e) => e.isIntersecting)) {
            setSeen(true);
            observer.disconnect();
          }
        },
        { rootMargin: margin },
      );
      observer.observe(el);
      return () => observer.disconnect();
    },
    [seen, margin],
  );
  return [ref, seen];
}
