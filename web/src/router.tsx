import type { ComponentChildren } from "preact";
import { useEffect, useReducer } from "preact/hooks";

const listeners = new Set<() => void>();
window.addEventListener("popstate", () => listeners.forEach((listener) => listener()));

/** What a page carries to the next one in the history entry (a sentence to show there). */
interface PageState {
  notice?: string;
}

/** Moves to an in-app path without reloading the page; `notice` is shown by the page arrived at. */
export function navigate(to: string, options: { replace?: boolean; notice?: string } = {}): void {
  const state: PageState | null = options.notice ? { notice: options.notice } : null;
  if (options.replace) history.replaceState(state, "", to);
  else history.pushState(state, "", to);
  listeners.forEach((listener) => listener());
}

/** The notice the previous page left for this one (see navigate), or null. */
export function pageNotice(): string | null {
  return (history.state as PageState | null)?.notice ?? null;
}

/** The current location; re-renders the caller when it changes. */
export function useLocation(): URL {
  const [, changed] = useReducer((n: number) => n + 1, 0);
  useEffect(() => {
    const listener = () => changed(undefined);
    listeners.add(listener);
    return () => void listeners.delete(listener);
  }, []);
  return new URL(location.href);
}

interface LinkProps {
  href: string;
  children: ComponentChildren;
  class?: string;
  "aria-current"?: "page";
}

/** An ordinary link (middle-click, copy address) that moves inside the app on a plain click. */
export function Link({ href, children, ...props }: LinkProps) {
  const onClick = (event: MouseEvent) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(href);
  };
  return (
    <a href={href} onClick={onClick} {...props}>
      {children}
    </a>
  );
}

/** A same-site path to return to after signing in, or null for anything else. */
export function safeReturnPath(value: string | null): string | null {
  return value && value.startsWith("/") && !value.startsWith("//") && !value.startsWith("/sign-in") ? value : null;
}
