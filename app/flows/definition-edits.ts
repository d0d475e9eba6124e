// The editor's graph edits on a flow definition (R-ADM-2), pure so the browser can run them before
// Save and the unit tests can check every result against the engine's schema: add a step into a
// link (after a step, at the start of a condition's branch or a split's variant, or before the
// first step), remove a step (its predecessors then lead to what it led to; a condition or split
// keeps one branch and the steps only reached through the others go with it), and move a step up or
// down within a straight sequence. No edit leaves a link to a step that is gone. Only types are
// imported from ./definition, so the editor's bundle stays free of the engine's validation code.
import type { Condition, FlowDefinition, FlowStep } from "./definition";
import type { MessageTemplate } from "../messaging/compose";

/** Step types the editor can add (an exit step is what the end of a branch already is). */
export const addableStepTypes = ["wait", "send", "condition", "split", "discount", "points"] as const;
export type AddableStepType = (typeof addableStepTypes)[number];

/**
 * A link a step can be added into: `start` (from: null, before the first step), a step's `next`, a
 * condition's `yes` / `no`, or a split variant's `variants.<index>.next` — the paths of
 * `namedLinksOf`.
 */
export interface LinkSlot {
  from: string | null;
  path: string;
}

/** What a new step starts with that is worded for the merchant (filled by the editor). */
export interface NewStepWords {
  /** The new send step's message (at least one language version). */
  template: MessageTemplate;
  /** The points step's reason, shown in the customer's points history. */
  pointsReason: string;
}

export class StepEditError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StepEditError";
  }
}

const linear = (step: FlowStep): step is Extract<FlowStep, { next: string | null }> =>
  step.type !== "condition" && step.type !== "split" && step.type !== "exit";

/** Every link of a step, with its path (same order as the engine's `namedLinksOf`). */
function linksWithPaths(step: FlowStep): { path: string; next: string | null }[] {
  switch (step.type) {
    case "condition":
      return [
        { path: "yes", next: step.yes },
        { path: "no", next: step.no },
      ];
    case "split":
      return step.variants.map((variant, index) => ({ path: `variants.${index}.next`, next: variant.next }));
    case "exit":
      return [];
    default:
      return [{ path: "next", next: step.next }];
  }
}

/** The step with the link at `path` set to `to`. */
function relinked(step: FlowStep, path: string, to: string | null): FlowStep {
  if (step.type === "condition" && path === "yes") return { ...step, yes: to };
  if (step.type === "condition" && path === "no") return { ...step, no: to };
  const variant = /^variants\.(\d+)\.next$/.exec(path);
  if (step.type === "split" && variant) {
    const at = Number(variant[1]);
    if (at >= step.variants.length) throw new StepEditError(`step "${step.id}" has no ${path}`);
    return {
      ...step,
      variants: step.variants.map((old, index) => (index === at ? { ...old, next: to } : old)),
    };
  }
  if (path === "next" && linear(step)) return { ...step, next: to };
  throw new StepEditError(`step "${step.id}" has no link ${path}`);
}

/** The step with every link to `id` set to `to`. */
function redirected(step: FlowStep, id: string, to: string | null): FlowStep {
  return linksWithPaths(step).reduce(
    (changed, link) => (link.next === id ? relinked(changed, link.path, to) : changed),
    step,
  );
}

/** Where a link slot currently leads. */
export function slotTarget(definition: FlowDefinition, slot: LinkSlot): string | null {
  if (slot.from === null) return definition.start;
  const step = definition.steps.find((candidate) => candidate.id === slot.from);
  if (!step) throw new StepEditError(`there is no step "${slot.from}"`);
  const link = linksWithPaths(step).find((candidate) => candidate.path === slot.path);
  if (!link) throw new StepEditError(`step "${step.id}" has no link ${slot.path}`);
  return link.next;
}

/** `<type>-<n>`, the first n not taken among `taken`. */
function freshId(base: string, taken: ReadonlySet<string>): string {
  for (let n = 1; ; n += 1) {
    const id = `${base}-${n}`;
    if (!taken.has(id)) return id;
  }
}

/** A new step of `type` with sensible defaults, leading to `next` (both branches, for a fork). */
function newStep(
  type: AddableStepType,
  id: string,
  template: string,
  next: string | null,
  words: NewStepWords,
) {
  const ordered: Condition = { kind: "has_ordered_since_start" };
  const steps: Record<AddableStepType, FlowStep> = {
    wait: { id, type: "wait", minutes: 24 * 60, from: "step", next },
    send: { id, type: "send", template, purpose: "marketing", next },
    condition: { id, type: "condition", condition: ordered, yes: next, no: next },
    split: {
      id,
      type: "split",
      variants: [
        { id: "a", weight: 50, next },
        { id: "b", weight: 50, next },
      ],
    },
    discount: {
      id,
      type: "discount",
      benefit: { kind: "percentage", percentOff: 10 },
      expiresAfterDays: 7,
      prefix: "BACK",
      minimumSubtotalMinor: null,
      next,
    },
    points: { id, type: "points", points: 100, reason: words.pointsReason, next },
  };
  return steps[type];
}

/**
 * Adds a new step of `type` into `slot`: the link now leads to the new step, and the new step leads
 * to where the link led (a new condition's yes and no, and a new split's two 50/50 variants, both
 * lead there: branches with no steps of their own yet). A send step gets a new template of its own.
 * Returns the new definition and the new step's id.
 */
export function insertStep(
  definition: FlowDefinition,
  slot: LinkSlot,
  type: AddableStepType,
  words: NewStepWords,
): { definition: FlowDefinition; id: string } {
  const target = slotTarget(definition, slot);
  const ids = new Set(definition.steps.map((step) => step.id));
  const id = freshId(type, ids);
  const templateId = type === "send" ? freshId("message", new Set(Object.keys(definition.templates))) : "";
  const step = newStep(type, id, templateId, target, words);
  const steps = definition.steps.map((old) => (old.id === slot.from ? relinked(old, slot.path, id) : old));
  const at = slot.from === null ? 0 : steps.findIndex((old) => old.id === slot.from) + 1;
  steps.splice(at, 0, step);
  return {
    id,
    definition: {
      ...definition,
      start: slot.from === null ? id : definition.start,
      steps,
      templates:
        type === "send" ? { ...definition.templates, [templateId]: words.template } : definition.templates,
    },
  };
}

/** The ids reachable from the start. */
function reachable(definition: FlowDefinition): Set<string> {
  const byId = new Map(definition.steps.map((step) => [step.id, step]));
  const seen = new Set<string>();
  const queue = [definition.start];
  while (queue.length > 0) {
    const id = queue.pop() as string;
    const step = byId.get(id);
    if (seen.has(id) || !step) continue;
    seen.add(id);
    for (const link of linksWithPaths(step)) if (link.next !== null) queue.push(link.next);
  }
  return seen;
}

/** The choices for removing a step: the paths of its branches (one `next` for a plain step). */
export function removalChoices(step: FlowStep): string[] {
  return linksWithPaths(step).map((link) => link.path);
}

/**
 * Removes a step. Whatever led to it (the start, other steps' links) then leads to what the kept
 * link led to: `keep` is one of `removalChoices` ("next" for a plain step, "yes" / "no" /
 * "variants.<i>.next" for a condition or split), or null to end the flow there. Steps that were
 * reachable before and are not any more (the dropped branches' sub-trees) are removed with it,
 * and so are the templates only removed steps used. Returns null when nothing would be left to
 * start with (a flow needs a first step).
 */
export function removeStep(
  definition: FlowDefinition,
  id: string,
  keep: string | null = "next",
): { definition: FlowDefinition; removed: string[] } | null {
  const step = definition.steps.find((candidate) => candidate.id === id);
  if (!step) throw new StepEditError(`there is no step "${id}"`);
  let to: string | null = null;
  if (keep !== null) {
    const link = linksWithPaths(step).find((candidate) => candidate.path === keep);
    if (!link && step.type !== "exit") throw new StepEditError(`step "${id}" has no link ${keep}`);
    to = link?.next ?? null;
  }
  // A step that led back to itself leaves nothing to continue with.
  if (to === id) to = null;
  const before = reachable(definition);
  const start = definition.start === id ? to : definition.start;
  if (start === null) return null;
  const relinkedSteps = definition.steps.filter((old) => old.id !== id).map((old) => redirected(old, id, to));
  const after = reachable({ ...definition, start, steps: relinkedSteps });
  const gone = new Set([id, ...[...before].filter((old) => !after.has(old))]);
  const steps = relinkedSteps.filter((old) => !gone.has(old.id));
  if (steps.length === 0) return null;
  const removedTemplates = new Set(
    definition.steps.flatMap((old) => (gone.has(old.id) && old.type === "send" ? [old.template] : [])),
  );
  const stillUsed = new Set(steps.flatMap((old) => (old.type === "send" ? [old.template] : [])));
  const templates = Object.fromEntries(
    Object.entries(definition.templates).filter(([key]) => !removedTemplates.has(key) || stillUsed.has(key)),
  );
  return {
    definition: { ...definition, start, steps, templates },
    removed: definition.steps.flatMap((old) => (gone.has(old.id) ? [old.id] : [])),
  };
}

/** Links (start included) that lead to `id`, as [from, path]. */
function linksTo(definition: FlowDefinition, id: string): { from: string | null; path: string }[] {
  const links: { from: string | null; path: string }[] =
    definition.start === id ? [{ from: null, path: "start" }] : [];
  for (const step of definition.steps)
    for (const link of linksWithPaths(step))
      if (link.next === id) links.push({ from: step.id, path: link.path });
  return links;
}

/**
 * The plain step just before `id` in a straight sequence — the only link into `id` is its `next` —
 * when both are plain steps (not a condition, split or exit) and neither leads back to the other.
 */
function straightPredecessor(definition: FlowDefinition, id: string): FlowStep | null {
  const step = definition.steps.find((candidate) => candidate.id === id);
  if (!step || !linear(step) || step.next === id) return null;
  const into = linksTo(definition, id);
  const link = into[0];
  if (into.length !== 1 || !link || link.from === null || link.path !== "next") return null;
  const before = definition.steps.find((candidate) => candidate.id === link.from);
  if (!before || !linear(before) || before.id === id || step.next === before.id) return null;
  return before;
}

/** Whether `id` can move up (before the step before it) or down (after the step after it). */
export function canMoveStep(definition: FlowDefinition, id: string, direction: "up" | "down"): boolean {
  if (direction === "up") return straightPredecessor(definition, id) !== null;
  const step = definition.steps.find((candidate) => candidate.id === id);
  return step !== undefined && linear(step) && step.next !== null && canMoveStep(definition, step.next, "up");
}

/**
 * Swaps a step with the one before it (up) or after it (down) in a straight sequence: what led to
 * the first of the two now leads to the second, which leads to the first, which leads on to where
 * the second led. Throws StepEditError when the move is not within a straight sequence.
 */
export function moveStep(definition: FlowDefinition, id: string, direction: "up" | "down"): FlowDefinition {
  const step = definition.steps.find((candidate) => candidate.id === id);
  let second = step;
  if (direction === "down") {
    const next = step && linear(step) ? step.next : null;
    second = definition.steps.find((candidate) => candidate.id === next);
  }
  const first = second ? straightPredecessor(definition, second.id) : null;
  if (!second || !first || !linear(first) || !linear(second))
    throw new StepEditError(`step "${id}" cannot move ${direction} here`);
  const after = second.next;
  const steps = definition.steps.map((old) => {
    if (old.id === first.id) return { ...first, next: after };
    if (old.id === second.id) return { ...second, next: first.id };
    return redirected(old, first.id, second.id);
  });
  // Keep the list in reading order too (the canvas follows links; this keeps saved JSON tidy).
  const firstAt = steps.findIndex((old) => old.id === first.id);
  const secondAt = steps.findIndex((old) => old.id === second.id);
  const [a, b] = [steps[firstAt], steps[secondAt]] as [FlowStep, FlowStep];
  steps[firstAt] = b;
  steps[secondAt] = a;
  return { ...definition, start: definition.start === first.id ? second.id : definition.start, steps };
}
