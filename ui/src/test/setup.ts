import "@testing-library/jest-dom/vitest";
import { cleanup, configure } from "@testing-library/react";
import { afterEach } from "vitest";

// findBy*/waitFor give up after 5 s rather than 1 s: on a loaded 2-core CI machine a lazy
// chunk or a slow render can take longer than a second (a ceiling, not a speed check).
configure({ asyncUtilTimeout: 5000 });

afterEach(() => cleanup());
