/* paper-kg graph view: layout, search, type filter, neighbourhood mode and the details panel.
 *
 * Graph data (titles, abstracts, labels) is text, never markup: it reaches the page only through
 * textContent, createElement and DOM properties, and vis-network's hover tooltips get plain strings
 * (vis-network 9 shows a string title with innerText).
 */
(function () {
  "use strict";
  const started = performance.now();
  const data = JSON.parse(document.getElementById("kg-data").textContent);
  const kinds = data.kinds; // kind -> {shape, color, caption}
  const relations = data.relations; // relation -> {color, caption, incoming}
  const details = data.details; // node id -> what the panel shows
  const nodeById = new Map(data.nodes.map((n) => [n.id, n]));
  const nodes = new vis.DataSet(data.nodes);
  const edges = new vis.DataSet(data.edges);
  const statusEl = document.getElementById("kg-status");
  const panel = document.getElementById("kg-panel");
  const hoodToggle = document.getElementById("kg-neighbourhood");

  const network = new vis.Network(document.getElementById("kg-network"), { nodes, edges }, data.options);
  window.network = network;
  window.kgData = { nodes, edges };
  // milliseconds since navigation start: script start, vis.Network built, layout at rest
  window.kgTimings = { script: Math.round(started), network: Math.round(performance.now()), stable: null };

  // ---- come to rest: stabilize once, then switch physics off ----------------------------------
  function markReady() {
    if (window.kgReady) return;
    window.kgStableMs = Math.round(performance.now()); // since navigation start
    window.kgTimings.stable = window.kgStableMs;
    window.kgReady = true;
    document.documentElement.dataset.kgStable = "true";
    statusEl.textContent = "";
  }
  if (data.nodes.length === 0 || !data.options.physics.enabled) {
    network.setOptions({ physics: false });
    markReady();
  } else {
    statusEl.textContent = "Laying out…";
    // The iteration count bounds the layout's quality, data.layoutBudgetMs its time: on a slow machine
    // the layout stops early (a little less tidy) instead of keeping the page busy.
    network.on("stabilizationProgress", (p) => {
      statusEl.textContent = "Laying out… " + Math.round((100 * p.iterations) / p.total) + "%";
      if (performance.now() - started > data.layoutBudgetMs && network.physics.targetIterations > p.iterations) {
        window.kgLayoutCut = p.iterations;
        network.physics.targetIterations = p.iterations; // vis-network 9.1: ends the stabilization loop
      }
    });
    network.once("stabilizationIterationsDone", () => {
      network.setOptions({ physics: false });
      placeLeaves();
      network.fit();
      labelHubs();
      markReady();
    });
  }

  // Leaves (one link, sent without physics on large graphs) fan out beside their neighbour, away
  // from that neighbour's other links.
  function placeLeaves() {
    const fans = new Map();
    for (const n of data.nodes) {
      if (n.physics !== false) continue;
      const links = adjacent.get(n.id);
      if (links.length !== 1) continue;
      const anchor = links[0].other;
      if (!fans.has(anchor)) fans.set(anchor, []);
      fans.get(anchor).push(n);
    }
    if (!fans.size) return;
    const at = network.getPositions();
    const moves = [];
    for (const [anchor, leaves] of fans) {
      const a = at[anchor];
      let dx = 0;
      let dy = 0;
      for (const link of adjacent.get(anchor)) {
        const p = at[link.other];
        if (nodeById.get(link.other).physics === false) continue;
        dx += p.x - a.x;
        dy += p.y - a.y;
      }
      const away = dx || dy ? Math.atan2(-dy, -dx) : 0;
      const k = leaves.length;
      const spread = k === 1 ? 0 : Math.min(2 * Math.PI * (1 - 1 / k), (k * Math.PI) / 5);
      const radius = nodeById.get(anchor).size + 22 + 2.2 * k;
      leaves.forEach((leaf, i) => {
        const angle = away + (k === 1 ? 0 : -spread / 2 + (spread * i) / (k - 1));
        moves.push({ id: leaf.id, x: a.x + radius * Math.cos(angle), y: a.y + radius * Math.sin(angle) });
      });
    }
    nodes.update(moves);
  }

  // The best-connected entities keep a readable label when the whole graph is in view: chosen
  // greedily by degree at the first view, skipping any label that would overlap one already kept;
  // their font then grows as the view zooms out, so it stays 13px on screen, never less than its own.
  const HUB_PX = 13;
  const hubs = new Map(); // id -> its own font size
  function labelHubs() {
    const scale = network.getScale();
    const candidates = data.nodes
      .filter((n) => n.kind !== "Paper" && !n.hidden)
      .sort((a, b) => details[b.id].degree - details[a.id].degree || (a.id < b.id ? -1 : 1))
      .slice(0, 4 * data.hubLabels);
    const at = network.getPositions(candidates.map((n) => n.id));
    const boxes = [];
    for (const n of candidates) {
      if (hubs.size >= data.hubLabels) break;
      if (n.font.size * scale >= HUB_PX) continue; // readable anyway
      const p = network.canvasToDOM(at[n.id]);
      const w = 0.56 * HUB_PX * n.label.length;
      const top = p.y + n.size * scale + 2;
      const box = { x0: p.x - w / 2 - 4, x1: p.x + w / 2 + 4, y0: top - 2, y1: top + HUB_PX + 2 };
      if (boxes.some((b) => box.x0 < b.x1 && b.x0 < box.x1 && box.y0 < b.y1 && b.y0 < box.y1)) continue;
      boxes.push(box);
      hubs.set(n.id, n.font.size);
    }
    sizeHubLabels();
  }
  function sizeHubLabels() {
    const scale = network.getScale();
    const update = [];
    for (const [id, own] of hubs) {
      const n = nodeById.get(id);
      const size = Math.max(own, Math.round(HUB_PX / scale));
      if (size !== n.font.size) {
        n.font = { size };
        update.push({ id, font: n.font });
      }
    }
    updateNodes(update);
  }
  let resizePending = false;
  network.on("zoom", () => {
    if (resizePending) return;
    resizePending = true;
    requestAnimationFrame(() => {
      resizePending = false;
      sizeHubLabels();
    });
  });
  network.on("animationFinished", sizeHubLabels);

  // ---- adjacency, for the panel and the neighbourhood mode -----------------------------------
  const adjacent = new Map(data.nodes.map((n) => [n.id, []]));
  for (const e of data.edges) {
    adjacent.get(e.from).push({ edge: e, other: e.to, out: true });
    if (e.to !== e.from) adjacent.get(e.to).push({ edge: e, other: e.from, out: false });
  }

  function make(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function swatch(kind) {
    const style = kinds[kind] || kinds.Entity;
    const sw = make("span", "sw sw-" + style.shape);
    sw.style.setProperty("--c", style.color);
    return sw;
  }
  function nameOf(id) {
    const d = details[id];
    return d ? d.name : id;
  }

  // ---- show / hide node types ----------------------------------------------------------------
  const shown = {};
  const kindBoxes = new Map();
  for (const box of document.querySelectorAll("#kg-legend input[data-kind]")) {
    kindBoxes.set(box.dataset.kind, box);
    shown[box.dataset.kind] = box.checked;
    box.addEventListener("change", () => setKindVisible(box.dataset.kind, box.checked));
  }
  function setKindVisible(kind, visible) {
    shown[kind] = visible;
    const box = kindBoxes.get(kind);
    if (box) box.checked = visible;
    const update = [];
    for (const n of data.nodes) if (n.kind === kind) update.push({ id: n.id, hidden: !visible });
    updateNodes(update);
    if (!visible && selected !== null && nodeById.get(selected).kind === kind) clearSelection();
  }
  window.kgSetKindVisible = setKindVisible;

  // ---- selection, navigation, neighbourhood mode ----------------------------------------------
  // vis-network animates frame by frame; where a frame of a large graph is slow, jump instead.
  const ANIMATION = data.nodes.length > 1000 ? false : { duration: 500, easingFunction: "easeInOutQuad" };
  let selected = null;
  function select(id, focus) {
    const node = nodeById.get(id);
    if (!node) return;
    if (shown[node.kind] === false) setKindVisible(node.kind, true);
    selected = id;
    network.selectNodes([id]);
    if (focus) {
      network.focus(id, { scale: focusScale(id), animation: ANIMATION });
      if (!ANIMATION) sizeHubLabels();
    }
    renderPanel(id);
    applyNeighbourhood();
  }
  function clearSelection() {
    selected = null;
    network.unselectAll();
    renderHint();
    applyNeighbourhood();
  }
  window.kgSelect = (id, focus = true) => select(id, focus);

  network.on("click", (params) => {
    if (params.nodes.length) select(params.nodes[0], false);
    else clearSelection();
  });
  network.on("doubleClick", (params) => {
    if (params.nodes.length) select(params.nodes[0], true);
  });
  hoodToggle.addEventListener("change", applyNeighbourhood);
  document.getElementById("kg-fit").addEventListener("click", () => {
    network.fit({ animation: ANIMATION });
    if (!ANIMATION) sizeHubLabels();
  });
  // zoom so that the node and all its neighbours are in view, but not closer than 1.5
  function focusScale(id) {
    const ids = [id].concat(adjacent.get(id).map((a) => a.other));
    const at = network.getPositions(ids);
    let reach = 0;
    for (const other of ids) reach = Math.max(reach, Math.hypot(at[other].x - at[id].x, at[other].y - at[id].y));
    const view = document.getElementById("kg-network").getBoundingClientRect();
    return Math.min(1.5, Math.max(0.02, (0.45 * Math.min(view.width, view.height)) / (reach + 60)));
  }

  // Dimming writes vis-network's drawing options in place and redraws once: a DataSet update
  // re-parses every node's options, which takes seconds for a few thousand nodes.
  const DIM_OPACITY = 0.12;
  const DIM_EDGE_OPACITY = 0.05;
  const DIM_FONT = "rgba(0, 0, 0, 0)"; // dimmed nodes lose their labels: less clutter around the rest
  const dimmedNodes = new Set();
  const dimmedEdges = new Set();
  function dimNode(id, dim) {
    const body = network.body.nodes[id];
    body.options.opacity = dim ? DIM_OPACITY : 1;
    body.labelModule.fontOptions.color = dim ? DIM_FONT : data.fontColor;
    body.labelModule.fontOptions.strokeWidth = dim ? 0 : data.options.nodes.font.strokeWidth;
    body.labelModule.labelDirty = true; // the label caches its colours until it is re-processed
  }
  // a DataSet update rebuilds a node's label options, so dimmed nodes are dimmed again after one
  function updateNodes(update) {
    if (!update.length) return;
    nodes.update(update);
    for (const { id } of update) if (dimmedNodes.has(id)) dimNode(id, true);
  }
  function dimEdge(edge, dim) {
    network.body.edges[edge.id].options.color.opacity = dim ? DIM_EDGE_OPACITY : edge.color.opacity;
  }
  function applyNeighbourhood() {
    let keepNodes = null;
    let keepEdges = null;
    if (hoodToggle.checked && selected !== null) {
      keepNodes = new Set([selected]);
      keepEdges = new Set();
      for (const a of adjacent.get(selected)) {
        keepNodes.add(a.other);
        keepEdges.add(a.edge.id);
      }
    }
    let changed = false;
    for (const n of data.nodes) {
      const dim = keepNodes !== null && !keepNodes.has(n.id);
      if (dim === dimmedNodes.has(n.id)) continue;
      if (dim) dimmedNodes.add(n.id);
      else dimmedNodes.delete(n.id);
      dimNode(n.id, dim);
      changed = true;
    }
    for (const e of data.edges) {
      const dim = keepEdges !== null && !keepEdges.has(e.id);
      if (dim === dimmedEdges.has(e.id)) continue;
      if (dim) dimmedEdges.add(e.id);
      else dimmedEdges.delete(e.id);
      dimEdge(e, dim);
      changed = true;
    }
    if (changed) network.redraw();
    document.documentElement.dataset.kgDimmed = String(dimmedNodes.size);
  }

  // ---- details panel (DOM only: textContent, never innerHTML) ----------------------------------
  function renderHint() {
    panel.replaceChildren(
      make("p", "hint", "Click a node, or search for a method, task, hardware or paper title."),
      make("p", "hint", "Double-click zooms to a node. Tick “Neighbourhood” to dim everything not linked to it."),
    );
  }
  function section(title) {
    panel.append(make("h3", null, title));
  }
  function chip(id, caption, tooltip) {
    const node = nodeById.get(id);
    const button = make("button", node ? "chip" : "chip off");
    button.type = "button";
    button.append(swatch(node ? node.kind : "Entity"), make("span", "t", caption));
    if (tooltip) button.title = tooltip;
    if (node) button.addEventListener("click", () => select(id, true));
    else button.disabled = true;
    return button;
  }
  function header(id, d, node) {
    const badges = make("div");
    const kind = make("span", "badge");
    kind.append(swatch(node.kind), document.createTextNode(node.kind));
    badges.append(kind);
    if (d.vocab) badges.append(make("span", "badge", "vocabulary concept"));
    panel.append(badges, make("h2", null, d.name));
    const shownLinks = adjacent.get(id).length;
    const links = shownLinks === d.degree ? d.degree + " links" : shownLinks + " of " + d.degree + " links shown";
    panel.append(make("p", "meta", links));
  }
  function renderPanel(id) {
    const node = nodeById.get(id);
    const d = details[id];
    panel.replaceChildren();
    panel.scrollTop = 0;
    header(id, d, node);
    if (node.kind === "Paper") renderPaper(id, d);
    else renderEntity(id, d);
    const iri = make("p", "meta", id);
    panel.append(make("h3", null, "IRI"), iri);
  }
  function renderPaper(id, d) {
    if (d.identifier || d.url) {
      const line = make("p", "meta");
      if (d.identifier) line.append(document.createTextNode(d.identifier + (d.url ? " · " : "")));
      if (d.url && /^https?:\/\//i.test(d.url)) {
        const a = make("a", null, d.url);
        a.href = d.url;
        a.target = "_blank";
        a.rel = "noopener noreferrer";
        line.append(a);
      } else if (d.url) {
        line.append(document.createTextNode(d.url));
      }
      panel.append(line);
    }
    if (d.listings.length) {
      section("Listed");
      const list = make("ul");
      for (const [date, source, line] of d.listings) {
        const where = source + (line ? ", line " + line : "");
        list.append(make("li", null, (date ? date + " — " : "") + where));
      }
      panel.append(list);
    }
    section("Abstract");
    panel.append(make("p", "abstract", d.abstract || "(no abstract)"));
    const byRelation = new Map();
    for (const a of adjacent.get(id)) {
      const rel = a.edge.relation;
      if (!byRelation.has(rel)) byRelation.set(rel, []);
      byRelation.get(rel).push(a);
    }
    if (!byRelation.size) return;
    section("Linked entities");
    for (const rel of Object.keys(relations)) {
      const links = byRelation.get(rel);
      if (!links) continue;
      const caption = (links[0].out ? relations[rel].caption : relations[rel].incoming) || rel;
      panel.append(make("p", "meta", caption));
      const chips = make("div", "chips");
      links.sort((x, y) => nameOf(x.other).localeCompare(nameOf(y.other)));
      for (const a of links) chips.append(chip(a.other, nameOf(a.other), a.edge.title));
      panel.append(chips);
    }
  }
  function renderEntity(id, d) {
    if (d.alt.length) {
      section("Also known as");
      panel.append(make("p", null, d.alt.join(" · ")));
    }
    if (d.broader.length) {
      section("Broader");
      const chips = make("div", "chips");
      for (const [iri, label] of d.broader) chips.append(chip(iri, label));
      panel.append(chips);
    }
    const groups = { narrower: [], appliedTo: [], appliedFrom: [], papers: [] };
    for (const a of adjacent.get(id)) {
      const rel = a.edge.relation;
      const other = nodeById.get(a.other);
      if (rel === "broader" && !a.out) groups.narrower.push(a);
      else if (rel === "appliedTo") (a.out ? groups.appliedTo : groups.appliedFrom).push(a);
      else if (other.kind === "Paper") groups.papers.push(a);
    }
    const byName = (x, y) => nameOf(x.other).localeCompare(nameOf(y.other));
    const chipSection = (title, links) => {
      if (!links.length) return;
      section(title);
      const chips = make("div", "chips");
      links.sort(byName);
      for (const a of links) chips.append(chip(a.other, nameOf(a.other), a.edge.title));
      panel.append(chips);
    };
    chipSection("Narrower", groups.narrower);
    chipSection("Applied to tasks", groups.appliedTo);
    chipSection("Methods applied to it", groups.appliedFrom);
    if (groups.papers.length) {
      section("Papers (" + groups.papers.length + ")");
      const list = make("ul", "papers");
      groups.papers.sort(byName);
      for (const a of groups.papers) {
        const button = make("button");
        button.type = "button";
        button.title = a.edge.title;
        button.append(make("span", "t", nameOf(a.other)), make("span", "r", (relations[a.edge.relation] || { caption: a.edge.relation }).caption));
        button.addEventListener("click", () => select(a.other, true));
        const item = make("li");
        item.append(button);
        list.append(item);
      }
      panel.append(list);
    }
  }
  renderHint();

  // ---- search: any label, alternative label or title; case-insensitive substring ---------------
  const searchBox = document.getElementById("kg-search");
  const resultList = document.getElementById("kg-results");
  const searchIndex = data.nodes.map((n) => {
    const d = details[n.id];
    const names = [d.name].concat(d.alt || []);
    if (d.title && d.title !== d.name) names.push(d.title);
    return { id: n.id, names, keys: names.map((s) => s.toLowerCase()), degree: d.degree };
  });
  function search(query) {
    const q = query.trim().toLowerCase();
    if (!q) return [];
    const hits = [];
    for (const item of searchIndex) {
      let rank = 9;
      let via = 0;
      item.keys.forEach((key, i) => {
        const at = key.indexOf(q);
        if (at < 0) return;
        const r = key === q ? 0 : at === 0 ? 1 : 2;
        if (r < rank) [rank, via] = [r, i];
      });
      if (rank < 9) hits.push({ id: item.id, rank, via: via ? item.names[via] : null, degree: item.degree });
    }
    hits.sort((a, b) => a.rank - b.rank || b.degree - a.degree || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return hits;
  }
  window.kgSearch = (query) => search(query).map((h) => h.id);
  let hits = [];
  let active = 0;
  function showResults() {
    resultList.replaceChildren();
    if (!searchBox.value.trim()) {
      resultList.hidden = true;
      return;
    }
    if (!hits.length) resultList.append(make("li", "none", "No node matches."));
    hits.slice(0, 12).forEach((h, i) => {
      const node = nodeById.get(h.id);
      const button = make("button", i === active ? "active" : null);
      button.type = "button";
      button.append(swatch(node.kind), make("span", "name", nameOf(h.id)));
      if (h.via) button.append(make("span", "why", "“" + h.via + "”"));
      button.append(make("span", "kind", node.kind));
      button.addEventListener("mousedown", (ev) => ev.preventDefault());
      button.addEventListener("click", () => choose(i));
      const item = make("li");
      item.append(button);
      resultList.append(item);
    });
    if (hits.length > 12) resultList.append(make("li", "none", "… " + (hits.length - 12) + " more"));
    resultList.hidden = false;
  }
  function choose(i) {
    const hit = hits[i];
    if (!hit) return;
    resultList.hidden = true;
    select(hit.id, true);
  }
  searchBox.addEventListener("input", () => {
    hits = search(searchBox.value);
    active = 0;
    showResults();
  });
  searchBox.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter") {
      ev.preventDefault();
      choose(active);
    } else if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
      ev.preventDefault();
      const n = Math.min(hits.length, 12);
      if (n) active = (active + (ev.key === "ArrowDown" ? 1 : n - 1)) % n;
      showResults();
    } else if (ev.key === "Escape") {
      searchBox.value = "";
      hits = [];
      showResults();
    }
  });
  searchBox.addEventListener("focus", () => {
    if (hits.length) showResults();
  });
  searchBox.addEventListener("blur", () => {
    resultList.hidden = true;
  });
  document.addEventListener("keydown", (ev) => {
    if (ev.key === "/" && document.activeElement !== searchBox) {
      ev.preventDefault();
      searchBox.focus();
      searchBox.select();
    }
  });
})();
