// The flow editor names every problem of a refused save by step and field in the admin's language
// (R-ADM-2, R-ADM-7): the engine's own problems, read through the editor's labels.
import { describe, expect, it } from "vitest";
import { definitionProblems } from "../../app/flows/definition";
import { presetDefinition } from "../../app/flows/presets";
import { problemText } from "../../app/components/flows/steps";
import { flowsMessages } from "../../app/i18n/messages/flows";

describe("flow editor problems in the merchant's words", () => {
  const broken = () => {
    const definition = structuredClone(presetDefinition("abandoned-checkout")) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    definition.steps[2].minutes = null; // an emptied duration
    definition.steps[5].benefit.percentOff = 500;
    definition.steps[5].expiresAfterDays = 1.5;
    definition.steps[5].prefix = "x";
    definition.controlPercent = 80;
    return definitionProblems(JSON.parse(JSON.stringify(definition)));
  };

  it("names the step and the field in English", () => {
    expect(broken().map((problem) => problemText(problem, flowsMessages.en, "USD"))).toEqual([
      "Control group (% of customers who get nothing): must be at most 50",
      "Step wait-second · Duration: needs a number",
      "Step third-discount · Percent off: must be at most 100",
      "Step third-discount · Code valid for (days): must be a whole number",
      "Step third-discount · Code prefix: must be 2–12 capital letters or digits",
    ]);
  });

  it("names the step and the field in Czech", () => {
    expect(broken().map((problem) => problemText(problem, flowsMessages.cs, "CZK"))).toEqual([
      "Kontrolní skupina (% zákazníků, kteří nedostanou nic): smí být nejvýš 50",
      "Krok wait-second · Doba: musí být číslo",
      "Krok third-discount · Sleva v %: smí být nejvýš 100",
      "Krok third-discount · Platnost kódu (dny): musí být celé číslo",
      "Krok third-discount · Předpona kódu: musí mít 2–12 velkých písmen nebo číslic",
    ]);
  });
});
