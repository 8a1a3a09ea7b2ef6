/* paper-kg graph view: labels placed and drawn by the page, not by vis-network.
 *
 * After every redraw the most important visible nodes get a label, greedily: a label whose box would
 * overlap one already placed is skipped, so no two labels ever overlap, and more of them fit as the
 * view zooms in (positions spread, the font stays 13px on screen). The selected node's label is
 * placed first and drawn last, on a white box, so it is always on top. Text goes through the canvas
 * (fillText): it is never markup.
 */
(function () {
  "use strict";
  const FONT = "13px system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
  const FONT_SELECTED = "600 14px system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
  const LINE = 16; // label box height in px
  const GAP = 3; // px between a node and its label
  const MAX_LABELS = 120;
  const MAX_CHARS = 42;

  function shorten(text) {
    return text.length <= MAX_CHARS ? text : text.slice(0, MAX_CHARS - 1).trimEnd() + "…";
  }
  function overlaps(a, b) {
    return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
  }

  /* opts: labelOf(id) -> text, importance(id) -> number, selected() -> id | null, muted(id) -> bool,
   * inside(id) -> bool (the label sits on the node, not below it), panels() -> elements over the
   * canvas that labels must avoid, fontColor. Returns {boxes()}: the boxes drawn last time, in DOM pixels of the network's canvas. */
  function create(network, opts) {
    let boxes = [];
    const measureCtx = document.createElement("canvas").getContext("2d");
    const widths = new Map();
    function width(text, font) {
      const key = font + "\u0000" + text;
      if (!widths.has(key)) {
        measureCtx.font = font;
        widths.set(key, measureCtx.measureText(text).width);
      }
      return widths.get(key);
    }
    function place() {
      const ids = network.body.nodeIndices.filter((id) => !opts.muted(id));
      const selected = opts.selected();
      ids.sort((a, b) => (a === selected ? -1 : b === selected ? 1 : opts.importance(b) - opts.importance(a) || (a < b ? -1 : 1)));
      const canvas = network.canvas.frame.canvas;
      const W = canvas.clientWidth;
      const H = canvas.clientHeight;
      const scale = network.getScale();
      const placed = [];
      // panels floating over the canvas hide what is under them
      const origin = canvas.getBoundingClientRect();
      const panels = opts.panels().map((el) => el.getBoundingClientRect()).filter((r) => r.width > 0)
        .map((r) => ({ x0: r.left - origin.left, x1: r.right - origin.left, y0: r.top - origin.top, y1: r.bottom - origin.top }));
      // other nodes' discs are obstacles too: a label must not cover a node it does not name
      const discs = network.body.nodeIndices.map((id) => {
        const node = network.body.nodes[id];
        const p = network.canvasToDOM({ x: node.x, y: node.y });
        const r = (node.options.size || 10) * scale;
        const core = 0.6 * r; // a label may cross the rim of a disc, not its middle
        return { id, x0: p.x - core, x1: p.x + core, y0: p.y - core, y1: p.y + core };
      });
      for (const id of ids) {
        if (placed.length >= MAX_LABELS) break;
        const node = network.body.nodes[id];
        if (!node) continue;
        const p = network.canvasToDOM({ x: node.x, y: node.y });
        const text = shorten(opts.labelOf(id));
        const isSelected = id === selected;
        const w = width(text, isSelected ? FONT_SELECTED : FONT) + 6;
        const top = opts.inside(id) ? p.y - LINE / 2 : p.y + (node.options.size || 10) * scale + GAP;
        const box = { id, text, selected: isSelected, x0: p.x - w / 2, x1: p.x + w / 2, y0: top, y1: top + LINE };
        if (!isSelected && (box.x0 < 0 || box.x1 > W || box.y0 < 0 || box.y1 > H)) continue;
        if (!isSelected && panels.some((r) => overlaps(r, box))) continue;
        if (placed.some((b) => overlaps(b, box))) continue;
        if (!isSelected && !opts.inside(id) && discs.some((d) => d.id !== id && overlaps(d, box))) continue;
        placed.push(box);
      }
      return placed;
    }
    function draw(ctx, placed) {
      const ratio = network.canvas.pixelRatio || 1;
      ctx.save();
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      ctx.lineJoin = "round";
      const ordered = placed.filter((b) => !b.selected).concat(placed.filter((b) => b.selected));
      for (const b of ordered) {
        const x = (b.x0 + b.x1) / 2;
        const y = (b.y0 + b.y1) / 2;
        if (b.selected) {
          ctx.fillStyle = "rgba(255, 255, 255, 0.95)";
          ctx.strokeStyle = "#0969da";
          ctx.lineWidth = 1;
          ctx.fillRect(b.x0, b.y0, b.x1 - b.x0, b.y1 - b.y0);
          ctx.strokeRect(b.x0, b.y0, b.x1 - b.x0, b.y1 - b.y0);
          ctx.font = FONT_SELECTED;
        } else {
          ctx.font = FONT;
          ctx.strokeStyle = "rgba(255, 255, 255, 0.9)";
          ctx.lineWidth = 3;
          ctx.strokeText(b.text, x, y);
        }
        ctx.fillStyle = opts.fontColor;
        ctx.fillText(b.text, x, y);
      }
      ctx.restore();
    }
    network.on("afterDrawing", (ctx) => {
      boxes = place();
      draw(ctx, boxes);
    });
    return { boxes: () => boxes.map((b) => ({ id: b.id, text: b.text, selected: b.selected, x0: b.x0, y0: b.y0, x1: b.x1, y1: b.y1 })) };
  }

  window.kgLabels = { create };
})();
