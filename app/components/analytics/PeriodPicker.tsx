import { useNavigate } from "@remix-run/react";
import { Checkbox, InlineStack, Select } from "@shopify/polaris";
import { periodPresets, type PeriodPreset } from "../../analytics/presets";
import type { AnalyticsStrings } from "../../i18n/messages/analytics";

/** The period presets and the comparison switch; a change loads the page for the new period. */
export function PeriodPicker({
  t,
  preset,
  compare,
  period,
}: {
  t: AnalyticsStrings;
  preset: PeriodPreset | null;
  compare: boolean;
  period: { from: string; to: string };
}) {
  const navigate = useNavigate();
  const go = (next: { preset: string; compare: boolean }) => {
    const query = new URLSearchParams();
    if (next.preset === "custom") {
      query.set("from", period.from);
      query.set("to", period.to);
    } else query.set("period", next.preset);
    query.set("compare", next.compare ? "previous" : "none");
    navigate(`?${query.toString()}`, { preventScrollReset: true });
  };
  const options = [
    ...periodPresets.map((id) => ({ value: id, label: t[id] })),
    ...(preset ? [] : [{ value: "custom", label: `${period.from} – ${period.to}` }]),
  ];
  return (
    <InlineStack gap="400" blockAlign="center">
      <div style={{ minWidth: 220 }}>
        <Select
          id="analytics-period"
          label={t.period}
          labelInline
          options={options}
          value={preset ?? "custom"}
          onChange={(value) => go({ preset: value, compare })}
        />
      </div>
      <Checkbox
        label={t.compare}
        checked={compare}
        onChange={(checked) => go({ preset: preset ?? "custom", compare: checked })}
      />
    </InlineStack>
  );
}
