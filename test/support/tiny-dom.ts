// Just enough of the DOM for Preact to render into and for a test to read and click: elements with
// attributes, properties and listeners, text nodes, and a serialisation to markup. Used to render
// the customer-account extension in node (Shopify renders it into its own host the same way).

type Listener = (this: TinyElement, event: { type: string }) => unknown;

export class TinyText {
  readonly nodeType = 3;
  parentNode: TinyElement | null = null;
  constructor(public data: string) {}
  get nextSibling(): TinyNode | null {
    return siblingAfter(this);
  }
  remove(): void {
    this.parentNode?.removeChild(this);
  }
}

export class TinyElement {
  readonly nodeType = 1;
  readonly namespaceURI = "http://www.w3.org/1999/xhtml";
  parentNode: TinyElement | null = null;
  readonly childNodes: TinyNode[] = [];
  readonly attributes = new Map<string, string>();
  private readonly listeners = new Map<string, Listener[]>();
  // Like HTMLElement's: its presence makes Preact listen for "click" (not "Click").
  onclick: Listener | null = null;
  constructor(readonly localName: string) {}
  get firstChild(): TinyNode | null {
    return this.childNodes[0] ?? null;
  }
  get nextSibling(): TinyNode | null {
    return siblingAfter(this);
  }
  setAttribute(name: string, value: string): void {
    this.attributes.set(name, String(value));
  }
  removeAttribute(name: string): void {
    this.attributes.delete(name);
  }
  getAttribute(name: string): string | null {
    return this.attributes.get(name) ?? null;
  }
  insertBefore<T extends TinyNode>(node: T, before: TinyNode | null): T {
    node.parentNode?.removeChild(node);
    const index = before ? this.childNodes.indexOf(before) : -1;
    this.childNodes.splice(index < 0 ? this.childNodes.length : index, 0, node);
    node.parentNode = this;
    return node;
  }
  appendChild<T extends TinyNode>(node: T): T {
    return this.insertBefore(node, null);
  }
  removeChild<T extends TinyNode>(node: T): T {
    const index = this.childNodes.indexOf(node);
    if (index >= 0) this.childNodes.splice(index, 1);
    node.parentNode = null;
    return node;
  }
  remove(): void {
    this.parentNode?.removeChild(this);
  }
  addEventListener(type: string, listener: Listener): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }
  removeEventListener(type: string, listener: Listener): void {
    this.listeners.set(
      type,
      (this.listeners.get(type) ?? []).filter((candidate) => candidate !== listener),
    );
  }
  dispatch(type: string): void {
    for (const listener of this.listeners.get(type) ?? []) listener.call(this, { type });
  }
  /** Every element below this one (depth first) with this tag name. */
  findAll(localName: string): TinyElement[] {
    const found: TinyElement[] = [];
    for (const child of this.childNodes) {
      if (child instanceof TinyElement) {
        if (child.localName === localName) found.push(child);
        found.push(...child.findAll(localName));
      }
    }
    return found;
  }
  get textContent(): string {
    return this.childNodes
      .map((child) => (child instanceof TinyText ? child.data : child.textContent))
      .join("");
  }
  /** Markup with the attributes Preact set (a heading, a label) so tests can read them too. */
  get outerHTML(): string {
    const attributes = [...this.attributes].map(([name, value]) => ` ${name}="${value}"`).join("");
    const inner = this.childNodes
      .map((child) => (child instanceof TinyText ? child.data : child.outerHTML))
      .join("");
    return `<${this.localName}${attributes}>${inner}</${this.localName}>`;
  }
}

export type TinyNode = TinyElement | TinyText;

function siblingAfter(node: TinyNode): TinyNode | null {
  const siblings = node.parentNode?.childNodes ?? [];
  return siblings[siblings.indexOf(node) + 1] ?? null;
}

export function tinyDocument() {
  const body = new TinyElement("body");
  return {
    body,
    createElement: (name: string) => new TinyElement(name),
    createElementNS: (_namespace: string | null, name: string) => new TinyElement(name),
    createTextNode: (data: string) => new TinyText(String(data)),
  };
}
