/**
 * The result list beside the canvas: the discoveries shown, in the host's order (most recent or
 * best ranked first), as a WAI-ARIA listbox. Focus stays on the list; the active option is named
 * by `aria-activedescendant` (Authoring Practices "Listbox", focus management), so arrow keys
 * never move DOM focus through thousands of options.
 */
import { el } from '../shared/theme';

export interface ResultItem {
  id: string;
  /** Visible text (the summary). */
  text: string;
  /** Accessible name (see nodeLabel in ./navigation). */
  label: string;
}

export class ResultList {
  readonly element: HTMLElement;
  private ids: string[] = [];
  private readonly options = new Map<string, HTMLElement>();
  private active: string | undefined;

  constructor(label: string) {
    this.element = el('ul', { id: 'results', role: 'listbox', tabindex: '0', 'aria-label': label });
  }

  /** Ids in list order (the array is replaced, never mutated, when the list changes). */
  get order(): readonly string[] {
    return this.ids;
  }

  has(id: string): boolean {
    return this.options.has(id);
  }

  /** Replaces the list, or adds to its end when `append` ("load more"). */
  show(items: readonly ResultItem[], append: boolean): void {
    if (!append) {
      this.element.replaceChildren();
      this.options.clear();
      this.ids = [];
      this.setActive(undefined);
    }
    const fragment = document.createDocumentFragment();
    const ids = [...this.ids];
    for (const item of items) {
      if (this.options.has(item.id)) continue;
      // Discovery ids come from the server: the DOM id is positional so any id is safe in it.
      const option = el('li', { id: `result-${ids.length}`, role: 'option', 'aria-selected': 'false', 'aria-label': item.label, 'data-id': item.id }, item.text);
      this.options.set(item.id, option);
      ids.push(item.id);
      fragment.append(option);
    }
    this.ids = ids;
    this.element.append(fragment);
    this.element.setAttribute('aria-setsize', String(ids.length));
  }

  /** Marks `id` active (or none) and scrolls it into view; an id not in the list clears. */
  setActive(id: string | undefined): void {
    if (this.active !== undefined) this.options.get(this.active)?.setAttribute('aria-selected', 'false');
    const option = id === undefined ? undefined : this.options.get(id);
    this.active = option ? id : undefined;
    if (!option) {
      this.element.removeAttribute('aria-activedescendant');
      return;
    }
    option.setAttribute('aria-selected', 'true');
    this.element.setAttribute('aria-activedescendant', option.id);
    option.scrollIntoView({ block: 'nearest' });
  }

  /** The id of the option an event happened in, if any. */
  idAt(target: EventTarget | null): string | undefined {
    const option = target instanceof Element ? target.closest('[role="option"]') : null;
    return option?.getAttribute('data-id') ?? undefined;
  }
}
