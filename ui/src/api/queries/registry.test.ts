import { describe, expect, it } from "vitest";
import { filterLiteral, modelsFilter } from "./registry";

describe("registry filters", () => {
  it("quotes literals with the quote kind the value lacks", () => {
    expect(filterLiteral("a")).toBe("'a'");
    expect(filterLiteral("it's")).toBe(`"it's"`);
    expect(filterLiteral(`'"`)).toBeNull();
  });

  it("searches names and scopes prompts", () => {
    expect(modelsFilter("", false)).toBe("");
    expect(modelsFilter(" bert ", false)).toBe("name ILIKE '%bert%'");
    expect(modelsFilter("", true)).toBe("tags.`mlflow.prompt.is_prompt` = 'true'");
    expect(modelsFilter("qa", true)).toBe("name ILIKE '%qa%' AND tags.`mlflow.prompt.is_prompt` = 'true'");
  });
});
