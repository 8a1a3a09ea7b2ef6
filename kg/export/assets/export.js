/* paper-kg graph view: save the view as PNG or SVG, copy text to the clipboard.
 *
 * PNG is the network's canvas (labels included) on a white background. SVG is drawn from the node
 * positions, shapes and the label boxes the page placed; its text is set with textContent and
 * serialized by XMLSerializer, so labels stay text.
 */
(function () {
  "use strict";
  const SVG_NS = "http://www.w3.org/2000/svg";

  function png(network) {
    const source = network.canvas.frame.canvas;
    const out = document.createElement("canvas");
    out.width = source.width;
    out.height = source.height;
    const ctx = out.getContext("2d");
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, out.width, out.height);
    ctx.drawImage(source, 0, 0);
    return out.toDataURL("image/png");
  }

  function el(name, attrs) {
    const node = document.createElementNS(SVG_NS, name);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    return node;
  }
  function polygon(shape, x, y, r) {
    const corners = {
      diamond: [[0, -1], [1, 0], [0, 1], [-1, 0]],
      triangle: [[0, -1], [0.87, 0.5], [-0.87, 0.5]],
      triangleDown: [[0, 1], [0.87, -0.5], [-0.87, -0.5]],
      hexagon: [[1, 0], [0.5, 0.87], [-0.5, 0.87], [-1, 0], [-0.5, -0.87], [0.5, -0.87]],
      star: Array.from({ length: 10 }, (_, i) => {
        const a = -Math.PI / 2 + (i * Math.PI) / 5;
        const k = i % 2 ? 0.45 : 1;
        return [k * Math.cos(a), k * Math.sin(a)];
      }),
    }[shape];
    if (!corners) return null;
    return el("polygon", { points: corners.map(([cx, cy]) => (x + r * cx).toFixed(1) + "," + (y + r * cy).toFixed(1)).join(" ") });
  }

  /* style(id) -> {shape, color}; edgeColor(edgeId) -> css colour; boxes: label boxes in DOM px */
  function svg(network, style, edgeColor, boxes) {
    const canvas = network.canvas.frame.canvas;
    const W = canvas.clientWidth;
    const H = canvas.clientHeight;
    const root = el("svg", { xmlns: SVG_NS, width: W, height: H, viewBox: "0 0 " + W + " " + H });
    root.append(el("rect", { width: W, height: H, fill: "#ffffff" }));
    const scale = network.getScale();
    const at = (id) => {
      const n = network.body.nodes[id];
      return network.canvasToDOM({ x: n.x, y: n.y });
    };
    const edges = el("g", { "stroke-opacity": 0.6 });
    for (const id of network.body.edgeIndices) {
      const e = network.body.edges[id];
      const a = at(e.fromId);
      const b = at(e.toId);
      edges.append(el("line", { x1: a.x.toFixed(1), y1: a.y.toFixed(1), x2: b.x.toFixed(1), y2: b.y.toFixed(1), stroke: edgeColor(id), "stroke-width": 1 }));
    }
    const nodes = el("g", { stroke: "#ffffff", "stroke-width": 1 });
    for (const id of network.body.nodeIndices) {
      const p = at(id);
      const s = style(id);
      const r = (network.body.nodes[id].options.size || 10) * scale;
      let shape = polygon(s.shape, p.x, p.y, r);
      if (!shape && s.shape === "square") shape = el("rect", { x: (p.x - r).toFixed(1), y: (p.y - r).toFixed(1), width: (2 * r).toFixed(1), height: (2 * r).toFixed(1) });
      if (!shape) shape = el("circle", { cx: p.x.toFixed(1), cy: p.y.toFixed(1), r: r.toFixed(1) });
      shape.setAttribute("fill", s.color);
      nodes.append(shape);
    }
    const labels = el("g", { "font-family": "system-ui, sans-serif", "font-size": 13, "text-anchor": "middle", fill: "#24292f" });
    for (const b of boxes) {
      const text = el("text", { x: ((b.x0 + b.x1) / 2).toFixed(1), y: (b.y1 - 4).toFixed(1), "paint-order": "stroke", stroke: "#ffffff", "stroke-width": 3 });
      if (b.selected) text.setAttribute("font-weight", "600");
      text.textContent = b.text;
      labels.append(text);
    }
    root.append(edges, nodes, labels);
    return new XMLSerializer().serializeToString(root);
  }

  function download(href, filename) {
    const a = document.createElement("a");
    a.href = href;
    a.download = filename;
    document.body.append(a);
    a.click();
    a.remove();
  }

  /* navigator.clipboard where the browser allows it, else a hidden textarea and execCommand */
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).then(() => true, () => legacyCopy(text));
    }
    return Promise.resolve(legacyCopy(text));
  }
  function legacyCopy(text) {
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.append(area);
    area.select();
    let ok = false;
    try {
      ok = document.execCommand("copy");
    } catch (err) {
      ok = false;
    }
    area.remove();
    return ok;
  }

  window.kgExport = { png, svg, download, copyText };
})();
