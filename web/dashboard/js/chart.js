// The overview chart: daily volume as bars (left axis, currency) and the success rate as a line
// (right axis, 0-100 %), as one inline SVG. Works when every day is zero and when rates are null.

import { s } from "./dom.js";
import { compactMajor, formatMoney } from "./money.js";

const H = 300;

function niceMax(value) {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) {
    if (value <= step * power) return step * power;
  }
  return 10 * power;
}

function shortDate(iso) {
  const date = new Date(`${iso}T00:00:00Z`);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleDateString(undefined, { month: "short", day: "numeric", timeZone: "UTC" });
}

function percent(rate) {
  return rate === null || rate === undefined ? "—" : `${Math.round(rate * 1000) / 10}%`;
}

/**
 * daily: [{date, count, succeeded, amount, success_rate}] oldest first. width: the drawing's width in
 * CSS pixels (the container's), so text stays legible on a phone instead of being scaled down.
 */
export function overviewChart(daily, currency, attrs = {}, width = 760) {
  const W = Math.max(320, Math.round(width));
  const narrow = W < 560;
  const M = narrow ? { top: 44, right: 50, bottom: 44, left: 50 } : { top: 44, right: 56, bottom: 44, left: 64 };
  const days = daily.length || 1;
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const maxMinor = Math.max(0, ...daily.map((d) => d.amount || 0));
  // The left axis in major units, rounded to a nice top; all-zero data gets a 0..1 axis.
  const exponentScale = maxMinor > 0 ? maxMinor : 0;
  const top = niceMax(exponentScale);
  const y = (minor) => M.top + plotH - (top ? (minor / top) * plotH : 0);
  const yRate = (rate) => M.top + plotH - rate * plotH;
  const slot = plotW / days;
  const barW = Math.max(2, Math.min(28, slot * 0.64));
  const cx = (i) => M.left + slot * i + slot / 2;

  const svg = s("svg", {
    viewBox: `0 0 ${W} ${H}`,
    class: "chart",
    role: "img",
    "aria-labelledby": "chart-title chart-desc",
    preserveAspectRatio: "xMidYMid meet",
    ...attrs,
  });
  const total = daily.reduce((sum, d) => sum + (d.amount || 0), 0);
  svg.append(
    s("title", { id: "chart-title" }, `Daily volume and success rate, last ${daily.length} days`),
    s(
      "desc",
      { id: "chart-desc" },
      `Bars: volume per day (total ${formatMoney(total, currency)}). Line: share of payments that succeeded per day.`,
    ),
  );

  // Grid and the two axes' tick labels.
  const grid = s("g", { class: "chart-grid" });
  for (let i = 0; i <= 4; i += 1) {
    const fraction = i / 4;
    const gy = M.top + plotH - fraction * plotH;
    grid.append(
      s("line", { x1: M.left, x2: M.left + plotW, y1: gy, y2: gy }),
      s("text", { x: M.left - 8, y: gy + 4, class: "tick tick-left", "text-anchor": "end" }, compactMajor(top * fraction, currency)),
      s("text", { x: M.left + plotW + 8, y: gy + 4, class: "tick tick-right", "text-anchor": "start" }, `${i * 25}%`),
    );
  }
  svg.append(grid);

  // Axis titles.
  svg.append(
    s(
      "text",
      { x: 14, y: M.top + plotH / 2, class: "axis-title", transform: `rotate(-90 14 ${M.top + plotH / 2})`, "text-anchor": "middle" },
      `Volume (${currency})`,
    ),
    s(
      "text",
      {
        x: W - 8,
        y: M.top + plotH / 2,
        class: "axis-title",
        transform: `rotate(90 ${W - 8} ${M.top + plotH / 2})`,
        "text-anchor": "middle",
      },
      "Success rate",
    ),
  );

  // Bars, each with a tooltip.
  const bars = s("g", { class: "chart-bars" });
  daily.forEach((d, i) => {
    const amount = d.amount || 0;
    const barTop = y(amount);
    const height = Math.max(amount > 0 ? 1 : 0, M.top + plotH - barTop);
    bars.append(
      s(
        "rect",
        { x: cx(i) - barW / 2, y: M.top + plotH - height, width: barW, height, rx: 2, class: "bar" },
        s(
          "title",
          {},
          `${d.date}: ${formatMoney(amount, currency)}, ${d.count || 0} payment${d.count === 1 ? "" : "s"}, ` +
            `${d.succeeded || 0} succeeded, success rate ${percent(d.success_rate)}`,
        ),
      ),
    );
  });
  svg.append(bars);

  // The success-rate line: broken where a day had no payments (rate null).
  const line = s("g", { class: "chart-line" });
  let segment = [];
  const flush = () => {
    if (segment.length > 1) line.append(s("polyline", { points: segment.join(" "), class: "rate-line" }));
    segment = [];
  };
  daily.forEach((d, i) => {
    if (d.success_rate === null || d.success_rate === undefined) {
      flush();
      return;
    }
    const point = `${cx(i).toFixed(1)},${yRate(d.success_rate).toFixed(1)}`;
    segment.push(point);
  });
  flush();
  daily.forEach((d, i) => {
    if (d.success_rate === null || d.success_rate === undefined) return;
    line.append(
      s(
        "circle",
        { cx: cx(i), cy: yRate(d.success_rate), r: 3.5, class: "rate-dot" },
        s("title", {}, `${d.date}: success rate ${percent(d.success_rate)}`),
      ),
    );
  });
  svg.append(line);

  // X axis: the baseline and about six date labels, always the last day.
  const xaxis = s("g", { class: "chart-xaxis" });
  xaxis.append(s("line", { x1: M.left, x2: M.left + plotW, y1: M.top + plotH, y2: M.top + plotH, class: "baseline" }));
  const labels = Math.max(2, Math.min(6, Math.floor(plotW / 64)));
  const every = Math.max(1, Math.ceil(daily.length / labels));
  daily.forEach((d, i) => {
    const last = i === daily.length - 1;
    if (!last && (daily.length - 1 - i) % every !== 0) return;
    xaxis.append(
      s("text", { x: cx(i), y: M.top + plotH + 18, class: "tick", "text-anchor": "middle" }, shortDate(d.date)),
    );
  });
  xaxis.append(
    s("text", { x: M.left + plotW / 2, y: H - 6, class: "axis-title", "text-anchor": "middle" }, "Date (UTC)"),
  );
  svg.append(xaxis);

  // Legend.
  const legend = s("g", { class: "chart-legend", transform: `translate(${narrow ? 8 : M.left}, 16)` });
  legend.append(
    s("rect", { x: 0, y: 0, width: 14, height: 10, rx: 2, class: "bar" }),
    s("text", { x: 20, y: 9 }, `Volume (${currency})`),
    s("line", { x1: 140, x2: 162, y1: 5, y2: 5, class: "rate-line" }),
    s("circle", { cx: 151, cy: 5, r: 3.5, class: "rate-dot" }),
    s("text", { x: 170, y: 9 }, "Success rate (%)"),
  );
  svg.append(legend);
  return svg;
}
