/* paper-kg graph view: views (overview, cluster, node, whole graph), time window, trending, search,
 * type filter, neighbourhood mode and the details panel.
 *
 * Graph data (titles, abstracts, labels) is text, never markup: it reaches the page only through
 * textContent, createElement, DOM properties and canvas text, and vis-network's hover tooltips get
 * plain strings (vis-network 9 shows a string title with innerText).
 */
(function () {
  "use strict";
  const started = performance.now();
  const data = JSON.parse(document.getElementById("kg-data").textContent);
  const parsed = performance.now();
  // The second JSON block (paper texts, evidence) follows this script in the page, so the first view
  // is drawn while the browser still reads it; it is parsed the first time a panel needs it.
  let detailsCache = null;
  function details() {
    if (!detailsCache) {
      const block = document.getElementById("kg-details");
      if (!block || document.readyState === "loading") return null;
      detailsCache = JSON.parse(block.textContent);
    }
    return detailsCache;
  }
  const statusEl = document.getElementById("kg-status");
  const panel = document.getElementById("kg-panel");
  const hoodToggle = document.getElementById("kg-neighbourhood");
  const showingEl = document.getElementById("kg-showing");
  const crumbsEl = document.getElementById("kg-crumbs");

  // ---- the graph, as indices ------------------------------------------------------------------
  const N = data.ids.length;
  const E = data.edges.length / 3;
  const indexOf = new Map(data.ids.map((id, i) => [id, i]));
  const kindOf = (i) => data.kindNames[data.kind[i]];
  const isPaper = (i) => kindOf(i) === "Paper";
  const isConcept = (i) => !data.notConcepts.includes(kindOf(i));
  const edgeFrom = (e) => data.edges[3 * e];
  const edgeTo = (e) => data.edges[3 * e + 1];
  const edgeRel = (e) => data.relNames[data.edges[3 * e + 2]];
  const otherEnd = (e, i) => (edgeFrom(e) === i ? edgeTo(e) : edgeFrom(e));
  const adj = Array.from({ length: N }, () => []);
  for (let e = 0; e < E; e++) {
    adj[edgeFrom(e)].push(e);
    if (edgeTo(e) !== edgeFrom(e)) adj[edgeTo(e)].push(e);
  }
  const clusterOf = new Int32Array(N).fill(-1);
  data.clusters.forEach((c, ci) => c.concepts.forEach((x) => (clusterOf[x] = ci)));
  const vocab = new Set(data.vocab);
  const styleOf = (i) => data.kinds[kindOf(i)] || data.kinds.Entity;
  const nameOf = (i) => data.label[i];
  const altOf = (i) => data.alt[i] || [];
  function papersOf(i) {
    const seen = new Set();
    for (const e of adj[i]) {
      const o = otherEnd(e, i);
      if (isPaper(o)) seen.add(o);
    }
    return [...seen];
  }

  // ---- time window ------------------------------------------------------------------------------
  const days = [...new Set(Object.values(data.day))].sort((a, b) => a - b);
  const win = { from: days.length ? days[0] : 0, to: days.length ? days[days.length - 1] : 0 };
  const fullWindow = () => !days.length || (win.from === days[0] && win.to === days[days.length - 1]);
  function inWindow(i) {
    if (!isPaper(i) || fullWindow()) return true;
    const d = data.day[i];
    return d !== undefined && d >= win.from && d <= win.to;
  }
  const papersInWindow = (i) => papersOf(i).filter(inWindow);
  const dayName = (d) => data.dayNames[d] || String(d);

  // ---- the network -------------------------------------------------------------------------------
  const nodes = new vis.DataSet([]);
  const edges = new vis.DataSet([]);
  const network = new vis.Network(document.getElementById("kg-network"), { nodes, edges }, data.options);
  window.network = network;
  window.kgData = { nodes, edges };
  // milliseconds since navigation start: script start, data parsed, vis.Network built, first view drawn and at rest
  window.kgTimings = {
    script: Math.round(started), parsed: Math.round(parsed), network: Math.round(performance.now()), firstView: null, stable: null,
  };

  let selected = null; // vis id of the selected node
  const dimmedNodes = new Set();
  const importance = new Map(); // vis id -> label priority in the current view
  const labelOf = new Map(); // vis id -> label text in the current view
  const labels = window.kgLabels.create(network, {
    labelOf: (id) => labelOf.get(id) || "",
    importance: (id) => importance.get(id) || 0,
    selected: () => selected,
    muted: (id) => dimmedNodes.has(id),
    inside: (id) => String(id).startsWith("cluster:"),
    panels: () => [...document.querySelectorAll("#kg-legend, #kg-time")].filter((el) => !el.hidden),
    fontColor: data.fontColor,
  });

  // ---- views: what is drawn ----------------------------------------------------------------------
  const shown = {}; // kind -> ticked in the legend
  let view = null;
  let viewSerial = 0;
  const radius = (count) => Math.round(Math.min(8 + 4 * Math.sqrt(count), 60));
  const OVERVIEW_PHYSICS = { gravitationalConstant: -12000, springLength: 260, avoidOverlap: 1 };

  function graphNode(i, size, extra) {
    const style = styleOf(i);
    const alt = altOf(i);
    let tooltip = nameOf(i) + "\n" + style.caption + " · " + adj[i].length + " links";
    if (alt.length) tooltip += "\nalso: " + alt.join(", ");
    return Object.assign(
      { id: data.ids[i], shape: style.shape, color: style.color, size, title: tooltip, kind: kindOf(i), hidden: shown[kindOf(i)] === false },
      extra || {},
    );
  }
  function graphEdges(members) {
    const inView = new Set(members);
    const out = [];
    for (const i of members) {
      for (const e of adj[i]) {
        if (edgeFrom(e) !== i || !inView.has(edgeTo(e))) continue;
        const rel = edgeRel(e);
        const style = data.relations[rel];
        out.push({
          id: "e" + e, from: data.ids[i], to: data.ids[edgeTo(e)], relation: rel, dashes: !!style.dashes,
          color: { color: style.color, highlight: style.color, hover: style.color, opacity: 0.6 },
          title: nameOf(i) + " — " + style.caption + " → " + nameOf(edgeTo(e)),
        });
      }
    }
    return out;
  }
  function sharesEdge(id, from, to, weight, title) {
    const c = data.relations.sharesPapers.color;
    return {
      id, from, to, relation: "sharesPapers", title, arrows: { to: { enabled: false } },
      width: Math.min(6, 1 + Math.log2(weight)), color: { color: c, highlight: "#8c959f", hover: "#8c959f", opacity: 0.8 },
    };
  }

  function overviewView() {
    const counts = data.clusters.map((c) => {
      if (fullWindow()) return c.papers; // counted when the page was written
      const papers = new Set();
      for (const x of c.concepts) for (const p of papersInWindow(x)) papers.add(p);
      return papers.size;
    });
    const cs = data.clusterStyle;
    const most = Math.max(1, ...counts);
    const vnodes = data.clusters.map((c, ci) => ({
      id: "cluster:" + ci, shape: cs.shape, color: c.folded ? "#dde1e6" : cs.color,
      size: Math.round(12 + 48 * Math.sqrt(counts[ci] / most)), // area in proportion to papers
      title: c.label + "\n" + c.concepts.length + " concepts · " + counts[ci] + " papers\nclick to open",
      kind: "Cluster",
    }));
    // each cluster keeps its three strongest links: all of them would be a clique
    const best = new Set();
    data.clusters.forEach((_, ci) => {
      data.clusterLinks
        .map((l, k) => [l, k])
        .filter(([l]) => l[0] === ci || l[1] === ci)
        .sort((a, b) => b[0][2] - a[0][2] || a[1] - b[1])
        .slice(0, 3)
        .forEach(([, k]) => best.add(k));
    });
    const vedges = [...best].sort((a, b) => a - b).map((k) => {
      const [i, j, w] = data.clusterLinks[k];
      return sharesEdge("l" + k, "cluster:" + i, "cluster:" + j, w, w + " papers link concepts of both");
    });
    const label = new Map(data.clusters.map((c, ci) => ["cluster:" + ci, c.label]));
    const weight = new Map(data.clusters.map((c, ci) => ["cluster:" + ci, counts[ci]]));
    const concepts = data.clusters.reduce((s, c) => s + c.concepts.length, 0);
    const folded = data.clusters.some((c) => c.folded) ? data.communities - data.clusters.length + 1 : 0;
    let showing = data.clusters.length + " clusters of " + concepts.toLocaleString("en") + " concepts";
    if (folded) showing += " (" + data.communities + " communities; the " + folded + " smallest are folded into “other concepts”)";
    return { nodes: vnodes, edges: vedges, label, weight, showing, crumbs: [] };
  }

  function clusterView(ci) {
    const c = data.clusters[ci];
    const members = c.concepts.filter((x) => papersInWindow(x).length > 0 || fullWindow());
    const kept = members.slice(0, data.viewMax);
    const count = new Map(kept.map((x) => [x, papersInWindow(x).length]));
    const vnodes = kept.map((x) => graphNode(x, radius(count.get(x))));
    const inView = new Set(kept);
    const vedges = graphEdges(kept);
    for (const x of kept) {
      for (const [y, w] of data.peers[x] || []) {
        if (inView.has(y) && x < y) vedges.push(sharesEdge("s" + x + "-" + y, data.ids[x], data.ids[y], w, w + " papers link both"));
      }
    }
    return {
      nodes: vnodes, edges: vedges,
      label: new Map(kept.map((x) => [data.ids[x], nameOf(x)])),
      weight: new Map(kept.map((x) => [data.ids[x], count.get(x)])),
      showing: "showing " + kept.length + " of " + c.concepts.length + " concepts of this cluster" + (fullWindow() ? "" : " (" + members.length + " with papers in the date window)"),
      crumbs: [["cluster", ci, c.label]],
    };
  }

  function nodeView(i) {
    const members = [i];
    let showing;
    if (isPaper(i)) {
      for (const e of adj[i]) members.push(otherEnd(e, i));
      showing = "a paper and the " + (new Set(members).size - 1) + " nodes it links to";
    } else {
      const all = papersOf(i);
      const papers = all.filter(inWindow).sort((a, b) => (data.day[b] || 0) - (data.day[a] || 0) || a - b);
      const kept = papers.slice(0, Math.floor(data.viewMax / 2));
      members.push(...kept);
      // the other concepts these papers share most, then the node's own non-paper neighbours
      const shared = new Map();
      for (const p of kept) for (const e of adj[p]) {
        const o = otherEnd(e, p);
        if (o !== i && !isPaper(o)) shared.set(o, (shared.get(o) || 0) + 1);
      }
      const room = data.viewMax - members.length;
      const own = adj[i].map((e) => otherEnd(e, i)).filter((o) => !isPaper(o) && o !== i);
      const extra = [...new Set(own)].concat([...shared.keys()].filter((o) => shared.get(o) > 1).sort((a, b) => shared.get(b) - shared.get(a) || a - b));
      members.push(...[...new Set(extra)].slice(0, room));
      showing = "showing " + kept.length + " of " + all.length + " papers of “" + nameOf(i) + "”" + (fullWindow() ? "" : " (" + papers.length + " in the date window)");
    }
    const unique = [...new Set(members)].filter((x) => x === i || inWindow(x));
    const degreeIn = new Map(unique.map((x) => [x, 0]));
    const vedges = graphEdges(unique);
    for (const e of vedges) {
      degreeIn.set(indexOf.get(e.from), degreeIn.get(indexOf.get(e.from)) + 1);
      degreeIn.set(indexOf.get(e.to), degreeIn.get(indexOf.get(e.to)) + 1);
    }
    const vnodes = unique.map((x) => graphNode(x, x === i ? 22 : isPaper(x) ? 9 : radius(degreeIn.get(x))));
    const crumbs = [];
    if (data.startView === "overview" && clusterOf[i] >= 0) crumbs.push(["cluster", clusterOf[i], data.clusters[clusterOf[i]].label]);
    crumbs.push(["node", i, nameOf(i)]);
    return {
      nodes: vnodes, edges: vedges,
      label: new Map(unique.map((x) => [data.ids[x], nameOf(x)])),
      weight: new Map(unique.map((x) => [data.ids[x], x === i ? 1e9 : degreeIn.get(x)])),
      showing, crumbs,
    };
  }

  function wholeView() {
    const members = [];
    for (let i = 0; i < N; i++) if (inWindow(i)) members.push(i);
    const vedges = graphEdges(members);
    return {
      nodes: members.map((i) => graphNode(i, Math.round(Math.min(7 + 3 * Math.sqrt(adj[i].length), 46)))),
      edges: vedges,
      label: new Map(members.map((i) => [data.ids[i], nameOf(i)])),
      weight: new Map(members.map((i) => [data.ids[i], isPaper(i) ? adj[i].length / 4 : adj[i].length])),
      showing: "showing " + members.length + " of " + N + " nodes" + (fullWindow() ? "" : " (papers in the date window)"),
      crumbs: [],
    };
  }

  function build(v) {
    if (v.type === "overview") return overviewView();
    if (v.type === "cluster") return clusterView(v.cluster);
    if (v.type === "node") return nodeView(v.node);
    return wholeView();
  }

  // Draw a view: new data, a short seeded layout, then physics off so the page comes to rest.
  function open(v, then) {
    view = v;
    const serial = ++viewSerial;
    const built = build(v);
    if (window.kgTimings.built === undefined) window.kgTimings.built = Math.round(performance.now());
    document.documentElement.dataset.kgViewStable = "false";
    labelOf.clear();
    importance.clear();
    for (const [id, text] of built.label) labelOf.set(id, text);
    for (const [id, w] of built.weight) importance.set(id, w);
    dimmedNodes.clear();
    selected = null;
    showingEl.textContent = built.showing;
    renderCrumbs(built.crumbs);
    statusEl.textContent = "Laying out…";
    const t0 = performance.now();
    // clusters are big discs: more room between them than between concepts and papers
    const barnesHut = v.type === "overview" ? { ...data.options.physics.barnesHut, ...OVERVIEW_PHYSICS } : data.options.physics.barnesHut;
    network.setOptions({ physics: { enabled: true, barnesHut } });
    nodes.clear();
    edges.clear();
    edges.add(built.edges);
    nodes.add(built.nodes);
    const done = () => {
      if (serial !== viewSerial) return;
      network.setOptions({ physics: { enabled: false } });
      fitView();
      statusEl.textContent = "";
      document.documentElement.dataset.kgViewStable = "true";
      document.documentElement.dataset.kgView = v.type;
      markReady();
      if (then) then();
      applyNeighbourhood();
    };
    if (!built.nodes.length) return done();
    network.stabilize(data.options.physics.stabilization.iterations);
    const onProgress = (p) => {
      if (performance.now() - t0 > data.layoutBudgetMs && network.physics.targetIterations > p.iterations) {
        network.physics.targetIterations = p.iterations; // vis-network 9.1: ends the stabilization loop
      }
    };
    network.on("stabilizationProgress", onProgress);
    network.once("stabilizationIterationsDone", () => {
      network.off("stabilizationProgress", onProgress);
      done();
    });
  }

  // fit, then leave room for the legend and the date panel that float over the left of the view
  function fitView() {
    network.fit();
    const legend = document.getElementById("kg-legend").getBoundingClientRect();
    network.moveTo({ scale: 0.9 * network.getScale(), position: network.getViewPosition(), offset: { x: legend.width / 2, y: 0 } });
  }

  function markReady() {
    if (window.kgReady) return;
    window.kgStableMs = Math.round(performance.now()); // since navigation start
    window.kgTimings.stable = window.kgStableMs;
    window.kgReady = true;
    document.documentElement.dataset.kgStable = "true";
  }
  network.once("afterDrawing", () => {
    window.kgTimings.firstView = Math.round(performance.now());
  });

  function renderCrumbs(crumbs) {
    const root = make("button", null, data.startView === "overview" ? "Overview" : "Whole graph");
    root.type = "button";
    root.addEventListener("click", () => open({ type: data.startView }));
    crumbsEl.replaceChildren(root);
    crumbs.forEach(([type, key, caption], k) => {
      crumbsEl.append(make("span", "sep", "›"));
      if (k === crumbs.length - 1) {
        crumbsEl.append(make("span", "here", caption));
        return;
      }
      const b = make("button", null, caption);
      b.type = "button";
      b.addEventListener("click", () => open(type === "cluster" ? { type, cluster: key } : { type, node: key }));
      crumbsEl.append(b);
    });
  }

  // ---- DOM helpers ------------------------------------------------------------------------------
  function make(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function swatch(kind) {
    const style = data.kinds[kind] || (kind === "Cluster" ? data.clusterStyle : data.kinds.Entity);
    const sw = make("span", "sw sw-" + style.shape);
    sw.style.setProperty("--c", style.color);
    return sw;
  }
  function badge(kind) {
    const b = make("span", "kind");
    b.append(swatch(kind), document.createTextNode((data.kinds[kind] || data.kinds.Entity).caption === "Other" ? kind : (data.kinds[kind] || { caption: kind }).caption));
    return b;
  }

  // ---- show / hide node types ----------------------------------------------------------------
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
    const update = nodes.get({ filter: (n) => n.kind === kind }).map((n) => ({ id: n.id, hidden: !visible }));
    if (update.length) nodes.update(update);
    for (const { id } of update) if (dimmedNodes.has(id)) dimNode(id, true);
    if (!visible && selected !== null && nodes.get(selected) && nodes.get(selected).kind === kind) clearSelection();
  }
  window.kgSetKindVisible = setKindVisible;

  // ---- selection and navigation -----------------------------------------------------------------
  function select(id, focus) {
    const i = indexOf.get(id);
    if (i === undefined) return;
    if (shown[kindOf(i)] === false) setKindVisible(kindOf(i), true);
    if (!nodes.get(id)) {
      open({ type: "node", node: i }, () => select(id, false));
      return;
    }
    selected = id;
    network.selectNodes([id]);
    if (focus) network.focus(id, { scale: Math.max(network.getScale(), 1.0), animation: false });
    renderPanel(i);
    applyNeighbourhood();
    network.redraw();
  }
  function clearSelection() {
    selected = null;
    network.unselectAll();
    renderHint();
    applyNeighbourhood();
  }
  window.kgSelect = (id, focus = true) => select(id, focus);

  network.on("click", (params) => {
    if (!params.nodes.length) return clearSelection();
    const id = params.nodes[0];
    if (String(id).startsWith("cluster:")) return open({ type: "cluster", cluster: Number(id.slice(8)) });
    const i = indexOf.get(id);
    if (view.type === "cluster" && !isPaper(i)) return open({ type: "node", node: i }, () => select(id, false));
    select(id, false);
  });
  network.on("doubleClick", (params) => {
    if (!params.nodes.length || String(params.nodes[0]).startsWith("cluster:")) return;
    const i = indexOf.get(params.nodes[0]);
    open({ type: "node", node: i }, () => select(params.nodes[0], false));
  });
  hoodToggle.addEventListener("change", applyNeighbourhood);
  document.getElementById("kg-fit").addEventListener("click", fitView);

  // ---- neighbourhood mode: dim all but the selected node and its neighbours ---------------------
  // Dimming writes vis-network's drawing options in place and redraws once: a DataSet update
  // re-parses every node's options.
  const DIM_OPACITY = 0.12;
  const DIM_EDGE_OPACITY = 0.05;
  const dimmedEdges = new Set();
  function dimNode(id, dim) {
    const body = network.body.nodes[id];
    if (body) body.options.opacity = dim ? DIM_OPACITY : 1;
  }
  function applyNeighbourhood() {
    let keep = null;
    if (hoodToggle.checked && selected !== null) keep = new Set([selected].concat(network.getConnectedNodes(selected)));
    for (const id of nodes.getIds()) {
      const dim = keep !== null && !keep.has(id);
      if (dim === dimmedNodes.has(id)) continue;
      if (dim) dimmedNodes.add(id);
      else dimmedNodes.delete(id);
      dimNode(id, dim);
    }
    const keepEdges = keep === null ? null : new Set(network.getConnectedEdges(selected));
    for (const e of edges.get()) {
      const dim = keepEdges !== null && !keepEdges.has(e.id);
      if (dim === dimmedEdges.has(e.id)) continue;
      if (dim) dimmedEdges.add(e.id);
      else dimmedEdges.delete(e.id);
      const body = network.body.edges[e.id];
      if (body) body.options.color.opacity = dim ? DIM_EDGE_OPACITY : e.color.opacity;
    }
    network.redraw();
    document.documentElement.dataset.kgDimmed = String(dimmedNodes.size);
  }

  // ---- details panel (DOM only: textContent, never innerHTML) ----------------------------------
  function renderHint() {
    panel.replaceChildren(
      make("p", "hint", data.startView === "overview"
        ? "Each circle is a cluster of concepts that papers share, sized by its papers. Click one to open it, then a concept to see its papers."
        : "Click a node, or search for a method, task, hardware or paper title."),
      make("p", "hint", "Double-click a node to see everything linked to it. Tick “Neighbourhood” to dim the rest."),
    );
  }
  function section(title) {
    panel.append(make("h3", null, title));
  }
  function chip(i, tooltip) {
    const button = make("button", "chip");
    button.type = "button";
    button.append(swatch(kindOf(i)), make("span", "t", nameOf(i)));
    if (tooltip) button.title = tooltip;
    button.addEventListener("click", () => select(data.ids[i], true));
    return button;
  }
  function evidence(e) {
    const ev = details().evidence[e];
    const rel = edgeRel(e);
    let text = nameOf(edgeFrom(e)) + " — " + data.relations[rel].caption + " → " + nameOf(edgeTo(e));
    if (Array.isArray(ev) && (ev.length === 1 || ev.length === 4)) {
      text += "\nsupported by " + ev[0] + " paper" + (ev[0] === 1 ? "" : "s");
      // a link from evidence: [support, score (0: none), sentence, kinds ("classifier + proposal")]
      if (ev.length === 4) {
        text += "\n" + ev[3] + " evidence" + (ev[1] ? ", score " + ev[1] : "");
        text += "\n“" + details().sentences[ev[2]] + "”";
      }
    } else if (Array.isArray(ev)) text += (ev[0] ? "\nscore " + ev[0] : "") + "\n“" + details().sentences[ev[1]] + "”";
    return text;
  }
  function renderPanel(i) {
    panel.replaceChildren();
    panel.scrollTop = 0;
    if (!details()) {
      panel.append(make("p", "hint", "Reading the paper texts…"));
      document.addEventListener("DOMContentLoaded", () => selected === data.ids[i] && renderPanel(i), { once: true });
      return;
    }
    const badges = make("div");
    const kind = make("span", "badge");
    kind.append(swatch(kindOf(i)), document.createTextNode(kindOf(i)));
    badges.append(kind);
    if (vocab.has(i)) badges.append(make("span", "badge", "vocabulary concept"));
    panel.append(badges, make("h2", null, nameOf(i)), make("p", "meta", adj[i].length + " links"));
    if (isPaper(i)) renderPaper(i);
    else renderEntity(i);
    renderQuery(i);
  }
  function renderPaper(i) {
    const d = details().papers[i];
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
      for (const [date, source, line] of d.listings) list.append(make("li", null, (date ? date + " — " : "") + source + (line ? ", line " + line : "")));
      panel.append(list);
    }
    section("Abstract");
    panel.append(make("p", "abstract", d.abstract || "(no abstract)"));
    const byRelation = new Map();
    for (const e of adj[i]) {
      const rel = edgeRel(e);
      if (!byRelation.has(rel)) byRelation.set(rel, []);
      byRelation.get(rel).push(e);
    }
    if (!byRelation.size) return;
    section("Linked entities");
    for (const rel of Object.keys(data.relations)) {
      const links = byRelation.get(rel);
      if (!links) continue;
      const style = data.relations[rel];
      panel.append(make("p", "meta", edgeFrom(links[0]) === i ? style.caption : style.incoming));
      const chips = make("div", "chips");
      links.sort((x, y) => nameOf(otherEnd(x, i)).localeCompare(nameOf(otherEnd(y, i))));
      for (const e of links) chips.append(chip(otherEnd(e, i), evidence(e)));
      panel.append(chips);
    }
  }
  function renderEntity(i) {
    if (altOf(i).length) {
      section("Also known as");
      panel.append(make("p", null, altOf(i).join(" · ")));
    }
    const groups = { broader: [], narrower: [], appliedTo: [], appliedFrom: [], papers: [], other: [] };
    for (const e of adj[i]) {
      const rel = edgeRel(e);
      const out = edgeFrom(e) === i;
      if (rel === "broader") (out ? groups.broader : groups.narrower).push(e);
      else if (rel === "appliedTo") (out ? groups.appliedTo : groups.appliedFrom).push(e);
      else if (isPaper(otherEnd(e, i))) groups.papers.push(e);
      else groups.other.push(e);
    }
    const byName = (x, y) => nameOf(otherEnd(x, i)).localeCompare(nameOf(otherEnd(y, i)));
    const chipSection = (title, links) => {
      if (!links.length) return;
      section(title);
      const chips = make("div", "chips");
      for (const e of links.sort(byName)) chips.append(chip(otherEnd(e, i), evidence(e)));
      panel.append(chips);
    };
    chipSection("Broader", groups.broader);
    chipSection("Narrower", groups.narrower);
    chipSection("Applied to tasks", groups.appliedTo);
    chipSection("Methods applied to it", groups.appliedFrom);
    chipSection("Linked", groups.other);
    if (!groups.papers.length) return;
    section("Papers (" + new Set(groups.papers.map((e) => otherEnd(e, i))).size + ")");
    const list = make("ul", "papers");
    for (const e of groups.papers.sort(byName)) {
      const p = otherEnd(e, i);
      const button = make("button");
      button.type = "button";
      button.title = evidence(e);
      button.append(make("span", "t", nameOf(p)), make("span", "r", data.relations[edgeRel(e)].caption));
      button.addEventListener("click", () => select(data.ids[p], true));
      const item = make("li");
      item.append(button);
      list.append(item);
    }
    panel.append(list);
  }

  // ---- IRI and a ready SPARQL query -------------------------------------------------------------
  function sparql(i) {
    const iri = "<" + data.ids[i] + ">";
    const head = ["kg", "dcterms", "rdfs", "skos"].map((p) => "PREFIX " + p + ": <" + data.prefixes[p] + ">").join("\n");
    if (isPaper(i)) {
      return head + "\n\n# what this paper links to\nSELECT ?relation ?entity ?label WHERE {\n  " + iri +
        " ?relation ?entity .\n  ?entity skos:prefLabel ?label .\n}\nORDER BY ?relation STR(?label)\n";
    }
    return head + "\n\n# the papers that link to this " + kindOf(i) + "\nSELECT ?paper ?title ?relation WHERE {\n  ?paper a kg:Paper ;\n    ?relation " +
      iri + " ;\n    rdfs:label ?title .\n}\nORDER BY STR(?title)\n";
  }
  function renderQuery(i) {
    section("IRI");
    panel.append(make("p", "meta iri", data.ids[i]));
    const row = make("div", "copy");
    const copied = make("span", "meta");
    for (const [caption, text] of [["Copy IRI", () => data.ids[i]], ["Copy SPARQL", () => sparql(i)]]) {
      const b = make("button", null, caption);
      b.type = "button";
      b.addEventListener("click", () => window.kgExport.copyText(text()).then((ok) => (copied.textContent = ok ? "copied" : "select and copy by hand")));
      row.append(b);
    }
    row.append(copied);
    panel.append(row);
    const details_ = make("details");
    details_.append(make("summary", null, "SPARQL"), make("pre", "sparql", sparql(i)));
    panel.append(details_);
  }

  // ---- search: exact label or title, then prefix, then alias, then anywhere ---------------------
  const searchBox = document.getElementById("kg-search");
  const resultList = document.getElementById("kg-results");
  let searchIndex = null; // built on first use
  function index() {
    if (!searchIndex) searchIndex = data.label.map((name, i) => ({ name, key: name.toLowerCase(), alt: altOf(i).map((a) => [a, a.toLowerCase()]) }));
    return searchIndex;
  }
  // rank 0: the label or title is the query (1: only without case); 2: an alias is the query (an
  // exact name too); 3: the label starts with the query; 4: an alias does; 5: the label contains it;
  // 6: an alias does. Ties: more links first.
  function search(query) {
    const raw = query.trim();
    const q = raw.toLowerCase();
    if (!q) return [];
    const hits = [];
    index().forEach((item, i) => {
      let rank = item.key === q ? (item.name === raw ? 0 : 1) : item.key.startsWith(q) ? 3 : item.key.includes(q) ? 5 : 9;
      let via = null;
      for (const [a, key] of item.alt) {
        const r = key === q ? 2 : key.startsWith(q) ? 4 : key.includes(q) ? 6 : 9;
        if (r < rank) [rank, via] = [r, a];
      }
      if (rank < 9) hits.push({ i, rank, via });
    });
    hits.sort((a, b) => a.rank - b.rank || adj[b.i].length - adj[a.i].length || a.i - b.i);
    return hits;
  }
  window.kgSearch = (query) => search(query).map((h) => data.ids[h.i]);
  let hits = [];
  let active = 0;
  function showResults() {
    resultList.replaceChildren();
    if (!searchBox.value.trim()) {
      resultList.hidden = true;
      return;
    }
    if (!hits.length) resultList.append(make("li", "none", "No node matches."));
    hits.slice(0, 12).forEach((h, k) => {
      const button = make("button", k === active ? "active" : null);
      button.type = "button";
      button.append(badge(kindOf(h.i)), make("span", "name", nameOf(h.i)));
      if (h.via) button.append(make("span", "why", "“" + h.via + "”"));
      button.addEventListener("mousedown", (ev) => ev.preventDefault());
      button.addEventListener("click", () => choose(k));
      const item = make("li");
      item.append(button);
      resultList.append(item);
    });
    if (hits.length > 12) resultList.append(make("li", "none", "… " + (hits.length - 12) + " more"));
    resultList.hidden = false;
  }
  function choose(k) {
    const hit = hits[k];
    if (!hit) return;
    resultList.hidden = true;
    select(data.ids[hit.i], true);
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

  // ---- time window and trending -----------------------------------------------------------------
  const fromInput = document.getElementById("kg-from");
  const toInput = document.getElementById("kg-to");
  const trendingEl = document.getElementById("kg-trending");
  const TREND_KINDS = new Set(["Method", "Task"]);
  // concepts of the trend kinds whose papers grew most from the window before to this one
  // With every date in the window there is nothing before it: the latest half is compared with the first.
  function comparison() {
    if (!fullWindow()) return { from: win.from, to: win.to, span: win.to - win.from + 1 };
    const span = Math.max(1, Math.ceil((win.to - win.from + 1) / 2));
    return { from: win.to - span + 1, to: win.to, span };
  }
  function trending(limit = 10) {
    const { from, to, span } = comparison();
    const now = new Map();
    const before = new Map();
    for (const [key, d] of Object.entries(data.day)) {
      const bucket = d >= from && d <= to ? now : d >= from - span && d < from ? before : null;
      if (!bucket) continue;
      const p = Number(key);
      const seen = new Set();
      for (const e of adj[p]) {
        const o = otherEnd(e, p);
        if (TREND_KINDS.has(kindOf(o)) && !seen.has(o)) {
          seen.add(o);
          bucket.set(o, (bucket.get(o) || 0) + 1);
        }
      }
    }
    return [...now.keys()]
      .map((i) => ({ id: data.ids[i], i, label: nameOf(i), kind: kindOf(i), now: now.get(i), before: before.get(i) || 0 }))
      .filter((t) => t.now > t.before)
      .sort((a, b) => b.now - b.before - (a.now - a.before) || b.now - a.now || a.i - b.i)
      .slice(0, limit)
      .map(({ i, ...t }) => t);
  }
  function renderTrending() {
    trendingEl.replaceChildren();
    const list = trending();
    if (!list.length) trendingEl.append(make("li", "none", "nothing grew"));
    for (const t of list) {
      const b = make("button");
      b.type = "button";
      b.append(swatch(t.kind), make("span", "t", t.label), make("span", "r", "+" + (t.now - t.before) + " (" + t.before + " → " + t.now + ")"));
      b.addEventListener("click", () => select(t.id, true));
      const li = make("li");
      li.append(b);
      trendingEl.append(li);
    }
    const { span } = comparison();
    const days_ = span + " day" + (span === 1 ? "" : "s");
    document.getElementById("kg-window").textContent = fullWindow()
      ? "all dates; trending: the latest " + days_ + " vs the " + span + " before"
      : days_ + "; trending: vs the " + span + " before";
    network.redraw(); // the panel changed size: labels under it move out
  }
  function setWindow(from, to) {
    win.from = Math.min(from, to);
    win.to = Math.max(from, to);
    fromInput.value = String(days.findIndex((d) => d >= win.from));
    toInput.value = String(days.length - 1 - [...days].reverse().findIndex((d) => d <= win.to));
    document.getElementById("kg-from-label").textContent = dayName(days[Number(fromInput.value)]);
    document.getElementById("kg-to-label").textContent = dayName(days[Number(toInput.value)]);
    renderTrending();
  }
  function onSlide() {
    let a = Number(fromInput.value);
    let b = Number(toInput.value);
    if (a > b) [a, b] = [b, a];
    setWindow(days[a], days[b]);
    open(view.type === "all" || view.type === "overview" ? view : { ...view });
  }
  if (days.length > 1) {
    document.getElementById("kg-time").hidden = false;
    for (const input of [fromInput, toInput]) {
      input.max = String(days.length - 1);
      input.addEventListener("change", onSlide);
    }
    toInput.value = String(days.length - 1);
    // the trending list waits until the first view is drawn
    network.once("afterDrawing", () => setTimeout(() => setWindow(days[0], days[days.length - 1]), 0));
  }

  // ---- export -----------------------------------------------------------------------------------
  const styleForId = (id) => {
    if (String(id).startsWith("cluster:")) return data.clusterStyle;
    return styleOf(indexOf.get(id));
  };
  const edgeColor = (id) => {
    const e = edges.get(id);
    return e ? e.color.color : "#999999";
  };
  const exportSVG = () => window.kgExport.svg(network, styleForId, edgeColor, labels.boxes());
  document.getElementById("kg-png").addEventListener("click", () => window.kgExport.download(window.kgExport.png(network), "graph.png"));
  document.getElementById("kg-svg").addEventListener("click", () =>
    window.kgExport.download("data:image/svg+xml;charset=utf-8," + encodeURIComponent(exportSVG()), "graph.svg"));

  // ---- API for scripts and tests ----------------------------------------------------------------
  window.kg = {
    view: () => ({ ...view, serial: viewSerial, stable: document.documentElement.dataset.kgViewStable === "true" }),
    overview: () => open({ type: "overview" }),
    openCluster: (ci) => open({ type: "cluster", cluster: ci }),
    openNode: (id) => open({ type: "node", node: indexOf.get(id) }),
    visibleNodes: () => network.body.nodeIndices.slice(),
    labelBoxes: () => labels.boxes(),
    days: () => days.slice(),
    setWindow: (from, to) => {
      setWindow(from, to);
      open(view.type === "all" || view.type === "overview" ? view : { ...view });
    },
    trending: (limit) => trending(limit),
    search: (q) => search(q).map((h) => ({ id: data.ids[h.i], name: nameOf(h.i), kind: kindOf(h.i), rank: h.rank, via: h.via })),
    sparql: (id) => sparql(indexOf.get(id)),
    exportPNG: () => window.kgExport.png(network),
    exportSVG,
    detailsParsed: () => detailsCache !== null,
  };

  renderHint();
  open({ type: data.startView });
})();
