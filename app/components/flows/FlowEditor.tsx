// The flow editor (R-ADM-2): the steps as a sequence with branches (a step can be added in any
// place, moved or removed — StepArrange; edits stay here until Save), the selected step's fields in
// a side panel, entry/exit rules, version history; Save makes a new version (refused whole, with the
// step and field named, when anything does not validate); activate / pause; unsaved changes warn
// before leaving (App Bridge's save bar when embedded, a dialog and the browser's prompt otherwise).
import { useBlocker, useRouteLoaderData, type FetcherWithComponents } from "@remix-run/react";
import { SaveBar } from "@shopify/app-bridge-react";
import { Banner, BlockStack, Card, Layout, Modal, Page, Text } from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";
import { useEffect, useMemo, useState } from "react";
import type { DefinitionProblem, FlowDefinition, FlowStep } from "../../flows/definition";
import type { LinkSlot } from "../../flows/definition-edits";
import type { MessageTemplate } from "../../messaging/compose";
import { fill, useAdminLocale, useMessages } from "../../i18n/catalogue";
import { flowsMessages, profileFieldMessages, triggerMessages } from "../../i18n/messages/flows";
import type { EditorAction } from "./editor-actions";
import { FlowSettings } from "./FlowSettings";
import { StatusBadge } from "./FlowsList";
import { StepCanvas } from "./StepCanvas";
import { AddStepModal, StepArrange } from "./StepArrange";
import { StepPanel } from "./StepPanel";
import { durationText, problemText, stepText, withStep } from "./steps";
import { VersionHistory } from "./VersionHistory";

export interface EditorFlow {
  id: string;
  name: string;
  status: string;
  currentVersion: number;
  definition: FlowDefinition;
  versions: { version: number; createdBy: string; createdAt: string }[];
  changes: { action: string; version: number; staff: string; at: string }[];
}

export function FlowEditor({
  flow,
  segments,
  currency,
  timeZone,
  save,
  status,
}: {
  flow: EditorFlow;
  segments: { id: string; name: string }[];
  currency: string;
  timeZone: string;
  /** Owned by the route, so their answers outlive the editor's remount on a new version. */
  save: FetcherWithComponents<EditorAction>;
  status: FetcherWithComponents<EditorAction>;
}) {
  const t = useMessages(flowsMessages);
  const fields = useMessages(profileFieldMessages);
  const triggers = useMessages(triggerMessages);
  const locale = useAdminLocale();
  const layout = useRouteLoaderData<{ demo: unknown }>("routes/app");
  const embedded = layout?.demo === null;
  const [definition, setDefinition] = useState<FlowDefinition>(flow.definition);
  const [selected, setSelected] = useState<string | null>(flow.definition.start);
  const [adding, setAdding] = useState<{ slot: LinkSlot; label: string } | null>(null);
  const initial = useMemo(() => JSON.stringify(flow.definition), [flow.definition]);
  const dirty = JSON.stringify(definition) !== initial;

  const saved =
    save.data?.intent === "save" && save.data.ok && save.data.version === flow.currentVersion
      ? save.data
      : null;
  const problems: DefinitionProblem[] =
    save.data?.intent === "save" && !save.data.ok && save.state === "idle" ? save.data.problems : [];
  const invalidSteps = new Set(problems.flatMap((problem) => (problem.step ? [problem.step] : [])));

  const blocker = useBlocker(
    ({ currentLocation, nextLocation }) => dirty && currentLocation.pathname !== nextLocation.pathname,
  );
  useEffect(() => {
    if (!dirty) return;
    const warn = (event: BeforeUnloadEvent) => {
      event.preventDefault();
      event.returnValue = "";
    };
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [dirty]);

  const segmentName = (id: string) => segments.find((segment) => segment.id === id)?.name ?? id;
  const describe = (step: FlowStep) => stepText(step, { t, fields, segmentName, currency, locale });
  const describeProblem = (problem: DefinitionProblem) => problemText(problem, t, currency);
  const flowErrorFor = (path: string) =>
    problems
      .filter((problem) => problem.step === null && problem.path.startsWith(path))
      .map((problem) => problemText({ ...problem, path: "" }, t, currency).replace(/^—: /, ""))
      .join("; ") || undefined;

  const submitSave = () =>
    save.submit({ intent: "save", definition: JSON.stringify(definition) }, { method: "post" });
  const discard = () => setDefinition(flow.definition);
  const setStatus = (next: "live" | "paused") =>
    status.submit({ intent: "status", status: next }, { method: "post" });

  const step = definition.steps.find((candidate) => candidate.id === selected) ?? null;
  const triggerText =
    fill(t.trigger, { event: triggers[definition.trigger.event] }) +
    (definition.trigger.delayMinutes > 0
      ? `, ${fill(t.triggerDelay, { delay: durationText(definition.trigger.delayMinutes, t) })}`
      : "");
  const statusError = status.data?.intent === "status" && !status.data.ok ? status.data.errors : [];

  return (
    <Page
      title={flow.name}
      titleMetadata={
        <StatusBadge status={flow.status === "live" ? "live" : flow.status === "paused" ? "paused" : "off"} />
      }
      backAction={{ content: t.back, url: "/app/flows" }}
      primaryAction={{
        content: save.state !== "idle" ? t.saving : t.save,
        disabled: !dirty,
        loading: save.state !== "idle",
        onAction: submitSave,
      }}
      secondaryActions={[
        flow.status === "live"
          ? { content: t.pause, onAction: () => setStatus("paused"), loading: status.state !== "idle" }
          : {
              content: flow.status === "paused" ? t.resume : t.activate,
              onAction: () => setStatus("live"),
              loading: status.state !== "idle",
            },
        { content: t.results, url: `/app/flows/${flow.id}/results` },
        ...(dirty ? [{ content: t.discard, onAction: discard }] : []),
      ]}
    >
      <TitleBar title={flow.name} />
      {embedded ? (
        <SaveBar id="flow-editor-save-bar" open={dirty}>
          <button {...{ variant: "primary" }} onClick={submitSave}>
            {t.save}
          </button>
          <button onClick={discard}>{t.discard}</button>
        </SaveBar>
      ) : null}
      <BlockStack gap="400">
        {saved && !dirty ? <Banner tone="success" title={fill(t.saved, { version: saved.version })} /> : null}
        {status.data?.intent === "status" && status.data.ok ? (
          <Banner
            tone="success"
            title={fill(t.statusChanged, {
              status: status.data.status === "live" ? t.statusLive : t.statusPaused,
            })}
          />
        ) : null}
        {statusError.length > 0 ? (
          <Banner tone="critical" title={statusError.map((error) => error.message).join("; ")} />
        ) : null}
        {problems.length > 0 ? (
          <Banner tone="critical" title={t.notSaved}>
            <ul data-testid="save-problems">
              {problems.map((problem, index) => (
                <li key={index}>{describeProblem(problem)}</li>
              ))}
            </ul>
          </Banner>
        ) : null}
        <Layout>
          <Layout.Section>
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  {t.steps}
                </Text>
                <Text as="p" tone="subdued">
                  {t.stepsHelp}
                </Text>
                <StepCanvas
                  definition={definition}
                  selected={selected}
                  invalidSteps={invalidSteps}
                  onSelect={setSelected}
                  onAdd={(slot, label) => setAdding({ slot, label })}
                  describe={describe}
                  triggerText={triggerText}
                />
              </BlockStack>
            </Card>
          </Layout.Section>
          <Layout.Section variant="oneThird">
            {step ? (
              <BlockStack gap="400">
                <StepArrange
                  key={`arrange-${step.id}`}
                  step={step}
                  definition={definition}
                  onChange={(next, select) => {
                    setDefinition(next);
                    setSelected(select);
                  }}
                />
                <StepPanel
                  key={step.id}
                  step={step}
                  definition={definition}
                  segments={segments}
                  currency={currency}
                  problems={problems.filter((problem) => problem.step === step.id)}
                  describeProblem={describeProblem}
                  onChange={(changed) =>
                    setDefinition((current) => withStep(current, step.id, () => changed))
                  }
                  onTemplateChange={(id: string, template: MessageTemplate) =>
                    setDefinition((current) => ({
                      ...current,
                      templates: { ...current.templates, [id]: template },
                    }))
                  }
                />
              </BlockStack>
            ) : (
              <Card>
                <Text as="p">{t.selectStep}</Text>
              </Card>
            )}
          </Layout.Section>
          <Layout.Section>
            <FlowSettings
              definition={definition}
              segments={segments}
              errorFor={flowErrorFor}
              onChange={setDefinition}
            />
          </Layout.Section>
          <Layout.Section>
            <VersionHistory
              versions={flow.versions}
              changes={flow.changes}
              currentVersion={flow.currentVersion}
              timeZone={timeZone}
            />
          </Layout.Section>
        </Layout>
      </BlockStack>
      <AddStepModal
        adding={adding}
        definition={definition}
        onClose={() => setAdding(null)}
        onAdded={(next, id) => {
          setDefinition(next);
          setSelected(id);
          setAdding(null);
        }}
      />
      <Modal
        open={blocker.state === "blocked"}
        onClose={() => blocker.reset?.()}
        title={t.unsavedTitle}
        primaryAction={{ content: t.leave, destructive: true, onAction: () => blocker.proceed?.() }}
        secondaryActions={[{ content: t.stay, onAction: () => blocker.reset?.() }]}
      >
        <Modal.Section>
          <Text as="p">{t.unsavedBody}</Text>
        </Modal.Section>
      </Modal>
    </Page>
  );
}
