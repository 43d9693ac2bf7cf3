import sax from "sax";
import { CalDAVError } from "../errors.js";

/** A namespace-resolved XML element. Text is always a string (no number/boolean coercion). */
export interface XmlElement {
  ns: string;
  local: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** concatenated text and CDATA directly inside this element (untrimmed) */
  text: string;
}

export interface ParseXmlOptions {
  /** default 64: DAV answers are ~6 levels deep; deep nesting is an attack, not data */
  maxDepth?: number;
  /** default 1 000 000 elements */
  maxElements?: number;
  /**
   * Called as each child of the root element ends; returning true hands it off: it is not kept in
   * the tree, so a long answer is never held whole (a multistatus' responses, one at a time).
   */
  onChildOfRoot?: (element: XmlElement, root: XmlElement) => boolean;
}

/**
 * Strict, namespace-aware parse with sax. Any DOCTYPE is refused outright: sax does not expand
 * entities, but refusing removes billion-laughs/XXE questions entirely. Undeclared entities fail too.
 */
export function parseXml(xml: string, options: ParseXmlOptions = {}): XmlElement {
  const maxDepth = options.maxDepth ?? 64;
  const maxElements = options.maxElements ?? 1_000_000;
  const parser = sax.parser(true, { xmlns: true, trim: false, normalize: false, position: false });
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  let count = 0;
  let failure: Error | null = null;
  const fail = (msg: string) => {
    failure ??= new CalDAVError("INVALID_RESPONSE", { detail: msg });
    throw failure;
  };
  parser.ondoctype = () => fail("XML with a DOCTYPE is refused");
  parser.onopentag = (tag) => {
    const t = tag as sax.QualifiedTag;
    if (stack.length >= maxDepth) fail(`XML nested deeper than ${maxDepth}`);
    if (++count > maxElements) fail(`XML has more than ${maxElements} elements`);
    const attrs: Record<string, string> = {};
    for (const a of Object.values(t.attributes)) {
      if (a.prefix === "xmlns" || a.name === "xmlns") continue;
      attrs[a.uri ? `{${a.uri}}${a.local}` : a.local] = a.value;
    }
    const el: XmlElement = { ns: t.uri ?? "", local: t.local, attrs, children: [], text: "" };
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(el);
    else if (root) fail("XML has more than one root element");
    else root = el;
    stack.push(el);
  };
  const { onChildOfRoot } = options;
  parser.onclosetag = () => {
    const el = stack.pop();
    if (onChildOfRoot && el && stack.length === 1 && onChildOfRoot(el, stack[0]!)) stack[0]!.children.pop();
  };
  const onText = (s: string) => {
    const cur = stack[stack.length - 1];
    if (cur) cur.text += s;
  };
  parser.ontext = onText;
  parser.oncdata = onText;
  parser.onerror = (e) => {
    failure ??= new CalDAVError("INVALID_RESPONSE", { detail: `malformed XML: ${e.message.split("\n")[0]}` });
    throw failure;
  };
  try {
    parser.write(xml).close();
  } catch (e) {
    throw failure ?? (e instanceof CalDAVError ? e : new CalDAVError("INVALID_RESPONSE", { detail: `malformed XML: ${(e as Error).message}` }));
  }
  if (failure) throw failure;
  if (!root) throw new CalDAVError("INVALID_RESPONSE", { detail: "empty XML document" });
  return root;
}

export const keyOf = (el: XmlElement): string => `{${el.ns}}${el.local}`;

export function child(el: XmlElement | undefined, ns: string, local: string): XmlElement | undefined {
  return el?.children.find((c) => c.ns === ns && c.local === local);
}

export function childrenOf(el: XmlElement | undefined, ns: string, local: string): XmlElement[] {
  return el ? el.children.filter((c) => c.ns === ns && c.local === local) : [];
}

/** Text content with surrounding whitespace removed (pretty-printed servers such as DAViCal). */
export function textOf(el: XmlElement | undefined): string | null {
  if (!el) return null;
  return el.text.trim();
}
