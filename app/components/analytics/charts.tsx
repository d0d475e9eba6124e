// Small SVG charts for the analytics pages (docs/decisions/013-analytics.md: no chart dependency):
// rendered on the server like the rest of the page, scaled by their viewBox, labelled for screen
// readers, coloured with Polaris tokens.
import { Text } from "@shopify/polaris";

const strokes = ["#2463bc", "#c70a24", "#29845a"];

export interface LineSeries {
  label: string;
  values: (number | null)[];
}

/** A line per series over shared x labels (e.g. months); values in percent. */
export function LineChart({
  labels,
  series,
  title,
  testId,
}: {
  labels: string[];
  series: LineSeries[];
  title: string;
  testId?: string;
}) {
  const width = 640;
  const height = 220;
  const pad = { left: 44, right: 12, top: 12, bottom: 28 };
  const values = series.flatMap((line) => line.values.filter((value): value is number => value !== null));
  const max = Math.max(100, ...values);
  const min = Math.min(0, ...values);
  const x = (index: number) =>
    pad.left + (labels.length <= 1 ? 0 : (index * (width - pad.left - pad.right)) / (labels.length - 1));
  const y = (value: number) => pad.top + ((max - value) * (height - pad.top - pad.bottom)) / (max - min || 1);
  const ticks = [min, (min + max) / 2, max];
  return (
    <figure style={{ margin: 0 }} data-testid={testId}>
      <svg viewBox={`0 0 ${width} ${height}`} width="100%" role="img" aria-label={title}>
        {ticks.map((tick) => (
          <g key={tick}>
            <line x1={pad.left} x2={width - pad.right} y1={y(tick)} y2={y(tick)} stroke="#e3e3e3" />
            <text x={pad.left - 6} y={y(tick) + 4} fontSize="11" textAnchor="end" fill="#616161">
              {Math.round(tick)} %
            </text>
          </g>
        ))}
        {labels.map((label, index) =>
          index % Math.max(1, Math.ceil(labels.length / 6)) === 0 ? (
            <text key={label} x={x(index)} y={height - 8} fontSize="11" textAnchor="middle" fill="#616161">
              {label}
            </text>
          ) : null,
        )}
        {series.map((line, seriesIndex) => {
          const points = line.values
            .map((value, index) => (value === null ? null : `${x(index)},${y(value)}`))
            .filter((point): point is string => point !== null);
          return (
            <g key={line.label} data-series={line.label}>
              <polyline
                points={points.join(" ")}
                fill="none"
                stroke={strokes[seriesIndex % strokes.length]}
                strokeWidth="2"
              />
              {line.values.map((value, index) =>
                value === null ? null : (
                  <circle
                    key={labels[index]}
                    cx={x(index)}
                    cy={y(value)}
                    r="3"
                    fill={strokes[seriesIndex % strokes.length]}
                  >
                    <title>{`${line.label} ${labels[index]}: ${value.toFixed(2)} %`}</title>
                  </circle>
                ),
              )}
            </g>
          );
        })}
      </svg>
      <figcaption style={{ display: "flex", gap: 16 }}>
        {series.map((line, index) => (
          <span key={line.label} style={{ display: "inline-flex", gap: 6, alignItems: "center" }}>
            <span
              aria-hidden
              style={{
                width: 12,
                height: 3,
                background: strokes[index % strokes.length],
                display: "inline-block",
              }}
            />
            <Text as="span" variant="bodySm">
              {line.label}
            </Text>
          </span>
        ))}
      </figcaption>
    </figure>
  );
}

/** Horizontal bars, e.g. revenue per flow. */
export function BarChart({
  bars,
  title,
  testId,
}: {
  bars: { label: string; value: number; formatted: string }[];
  title: string;
  testId?: string;
}) {
  const max = Math.max(1, ...bars.map((bar) => bar.value));
  const rowHeight = 28;
  const width = 640;
  const labelWidth = 200;
  const valueWidth = 110;
  const height = rowHeight * bars.length + 4;
  return (
    <svg viewBox={`0 0 ${width} ${height}`} width="100%" role="img" aria-label={title} data-testid={testId}>
      {bars.map((bar, index) => {
        const barWidth = ((width - labelWidth - valueWidth) * Math.max(0, bar.value)) / max;
        const top = index * rowHeight + 4;
        return (
          <g key={`${bar.label}-${index}`}>
            <text x={0} y={top + 15} fontSize="12" fill="#303030">
              {bar.label.length > 28 ? `${bar.label.slice(0, 27)}…` : bar.label}
            </text>
            <rect x={labelWidth} y={top} width={barWidth} height={rowHeight - 10} rx="3" fill={strokes[0]} />
            <text x={labelWidth + barWidth + 6} y={top + 14} fontSize="12" fill="#303030">
              {bar.formatted}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

/** The cohort matrix as a heat-map table: darker = a larger share ordering again. */
export function CohortHeatmap({
  rows,
  monthHeader,
  customersHeader,
  locale,
  testId,
}: {
  rows: { month: string; customers: number; retention: (number | null)[] }[];
  monthHeader: string;
  customersHeader: string;
  locale: string;
  testId?: string;
}) {
  const max = Math.max(
    1,
    ...rows.flatMap((row) => row.retention.filter((value): value is number => value !== null)),
  );
  const cell = {
    padding: "4px 6px",
    textAlign: "right" as const,
    fontSize: 12,
    whiteSpace: "nowrap" as const,
  };
  return (
    <div style={{ overflowX: "auto" }} data-testid={testId}>
      <table style={{ borderCollapse: "collapse", width: "100%" }}>
        <thead>
          <tr>
            <th style={{ ...cell, textAlign: "left" }}>{monthHeader}</th>
            <th style={cell}>{customersHeader}</th>
            {Array.from({ length: 12 }, (_, index) => (
              <th key={index} style={cell}>
                +{index + 1}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.month}>
              <th scope="row" style={{ ...cell, textAlign: "left" }}>
                {row.month}
              </th>
              <td style={cell}>{row.customers.toLocaleString(locale)}</td>
              {row.retention.map((value, index) => (
                <td
                  key={index}
                  style={{
                    ...cell,
                    background:
                      value === null ? "transparent" : `rgba(36, 99, 188, ${0.08 + (0.8 * value) / max})`,
                    color: value !== null && value / max > 0.55 ? "#fff" : "#303030",
                  }}
                >
                  {value === null ? "" : `${value.toLocaleString(locale, { maximumFractionDigits: 1 })} %`}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
