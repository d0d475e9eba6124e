// What the editor's action answers, intent by intent (the route returns these; the components read them).
import type { DefinitionProblem } from "../../flows/definition";
import type { CustomerChoice, TemplateProblemView } from "../../flows/flow-admin";
import type { MessageContent } from "../../messaging/outbox";

export interface FieldError {
  field: string;
  message: string;
}

export type EditorAction =
  | { intent: "save"; ok: true; version: number }
  | { intent: "save"; ok: false; problems: DefinitionProblem[] }
  | { intent: "status"; ok: true; status: string }
  | { intent: "status"; ok: false; errors: FieldError[] }
  | { intent: "preview"; ok: true; locale: "en" | "cs"; content: MessageContent }
  | { intent: "preview"; ok: false; problems: TemplateProblemView[] }
  | { intent: "customers"; customers: CustomerChoice[] }
  | { intent: "testSend"; ok: true; to: string; channel: string }
  | { intent: "testSend"; ok: false; errors: FieldError[] }
  | { intent: "invalid"; ok: false; errors: FieldError[] };
