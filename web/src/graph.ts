/** The evidence path drawn with Cytoscape: accounts, addresses (labelled ones marked), clusters, transfers, hops and merges. */
import cytoscape from 'cytoscape';
import { userText } from './dom.js';
import type { PathGraph } from '../../src/console/path-graph.js';

export function drawGraph(container: HTMLElement, graph: PathGraph): cytoscape.Core {
  // What was drawn, for tests and screen readers (the canvas holds no text).
  container.dataset.nodes = String(graph.nodes.length);
  container.dataset.edges = String(graph.edges.length);
  container.setAttribute('aria-label', `evidence graph: ${graph.nodes.map((n) => (n.tag ? `${n.label} (${n.tag})` : n.label)).join(', ')}`);
  return cytoscape({
    container,
    elements: [
      ...graph.nodes.map((n) => ({ data: { id: n.id, label: userText(n.tag ? `${n.label}\n${n.tag}` : n.label), kind: n.kind, tagged: n.tag ? 'yes' : 'no' } })),
      ...graph.edges.map((e) => ({ data: { id: e.id, source: e.source, target: e.target, label: e.kind === 'member' ? '' : userText(e.label), kind: e.kind } })),
    ],
    layout: { name: 'cose', animate: false, randomize: false, nodeRepulsion: () => 900_000, idealEdgeLength: () => 110, padding: 24 },
    wheelSensitivity: 0.3,
    style: [
      { selector: 'node', style: { label: 'data(label)', 'font-size': 11, 'text-wrap': 'wrap', 'text-valign': 'bottom', 'text-margin-y': 4, width: 22, height: 22, 'background-color': '#6b7c93' } },
      { selector: 'node[kind = "account"]', style: { shape: 'round-rectangle', 'background-color': '#0b5cad', width: 34 } },
      { selector: 'node[kind = "cluster"]', style: { shape: 'hexagon', 'background-color': '#8e44ad', width: 28, height: 28 } },
      { selector: 'node[tagged = "yes"]', style: { 'background-color': '#b3131b', 'border-width': 3, 'border-color': '#5c0a0e', color: '#b3131b', 'font-weight': 'bold' } },
      { selector: 'edge', style: { width: 1.6, 'curve-style': 'bezier', 'target-arrow-shape': 'triangle', label: 'data(label)', 'font-size': 9, 'text-rotation': 'autorotate', 'text-background-color': '#fff', 'text-background-opacity': 0.85, 'line-color': '#8a97a8', 'target-arrow-color': '#8a97a8' } },
      { selector: 'edge[kind = "member"]', style: { 'line-style': 'dotted', 'target-arrow-shape': 'none' } },
      { selector: 'edge[kind = "merge"]', style: { 'line-color': '#8e44ad', 'target-arrow-color': '#8e44ad', 'line-style': 'dashed', width: 2.4 } },
      { selector: 'edge[kind = "hop"]', style: { 'line-color': '#d35400', 'target-arrow-color': '#d35400', width: 2.2 } },
    ],
  });
}
