// A small SVG writer for the bench chart: horizontal bars of each ratio (oauth-jar ops/s divided by
// raw jose ops/s, measured in the same run) with the target drawn as a dashed line per group, and
// the bundle sizes next to jose's. No dependencies: the chart is plain text the README links to.

const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

/**
 * @param {{ title: string, groups: Array<{ title: string, target?: number, ref?: number, max: number, unit: string,
 *   bars: Array<{ label: string, value: number, pass?: boolean, note?: string }> }> }} chart
 */
export function barChart({ title, groups }) {
  const W = 980, labelW = 340, barW = 400, rowH = 22, pad = 16;
  const x0 = pad + labelW;
  let y = 58;
  const parts = [];
  for (const g of groups) {
    parts.push(`<text x="${pad}" y="${y}" class="h">${esc(g.title)}</text>`);
    y += 10;
    const top = y;
    for (const b of g.bars) {
      const w = Math.max(1, Math.min(barW, (b.value / g.max) * barW));
      const cls = b.pass === undefined ? 'n' : b.pass ? 'p' : 'm';
      parts.push(
        `<text x="${x0 - 8}" y="${y + 15}" class="l">${esc(b.label)}</text>`,
        `<rect x="${x0}" y="${y + 3}" width="${w.toFixed(1)}" height="${rowH - 6}" class="${cls}"/>`,
        `<text x="${(x0 + w + 6).toFixed(1)}" y="${y + 15}" class="v">${esc(b.note ?? `${b.value.toFixed(2)}${g.unit}`)}</text>`,
      );
      y += rowH;
    }
    if (g.ref !== undefined) {
      // a faint line at parity (1.0×): where oauth-jar is exactly as fast as raw jose
      const rx = x0 + (g.ref / g.max) * barW;
      parts.push(`<line x1="${rx.toFixed(1)}" y1="${top}" x2="${rx.toFixed(1)}" y2="${y}" class="r"/>`);
    }
    if (g.target !== undefined) {
      const tx = x0 + (g.target / g.max) * barW;
      parts.push(
        `<line x1="${tx.toFixed(1)}" y1="${top}" x2="${tx.toFixed(1)}" y2="${y}" class="t"/>`,
        `<text x="${tx.toFixed(1)}" y="${y + 12}" class="tl">target ${esc(g.target)}${esc(g.unit)}</text>`,
      );
      y += 14;
    }
    y += 22;
  }
  const H = y;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui,-apple-system,Segoe UI,sans-serif">
<style>
.h{font-size:14px;font-weight:600;fill:#222}.l{font-size:12px;fill:#333;text-anchor:end}.v{font-size:12px;fill:#333}
.tl{font-size:11px;fill:#555;text-anchor:middle}.r{stroke:#bbb;stroke-width:1}.t{stroke:#444;stroke-width:1.5;stroke-dasharray:4 3}
.p{fill:#2e9e5b}.m{fill:#d0473c}.n{fill:#6b8fd6}.bg{fill:#fff}
</style>
<rect class="bg" width="${W}" height="${H}"/>
<text x="${pad}" y="22" style="font-size:16px;font-weight:700;fill:#111">${esc(title)}</text>
${parts.join('\n')}
</svg>
`;
}
