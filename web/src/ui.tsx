import type { ComponentChildren, InputHTMLAttributes, PartialInputHTMLAttributes, PartialSelectHTMLAttributes, SelectHTMLAttributes } from "preact";
import { useEffect, useId, useRef } from "preact/hooks";

/** A page's heading, focused on arrival so screen readers announce the new page. */
export function PageTitle({ children }: { children: ComponentChildren }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    heading.current?.focus();
    document.title = `${heading.current?.textContent ?? ""} · CalDAV Timesheet`;
  }, []);
  return (
    <h1 ref={heading} tabIndex={-1}>
      {children}
    </h1>
  );
}

/** An error, announced at once by screen readers. */
export function ErrorMessage({ children }: { children: ComponentChildren }) {
  if (!children) return null;
  return (
    <p class="message error" role="alert">
      {children}
    </p>
  );
}

/** News that screen readers announce when they are idle (progress, results). */
export function StatusMessage({ children, tone = "info" }: { children: ComponentChildren; tone?: "info" | "success" | "warning" }) {
  return (
    <div class={`message ${tone}`} role="status">
      {children}
    </div>
  );
}

// Preact's element types tie each input type to its ARIA roles; these fields never set a role.
type InputProps = Omit<PartialInputHTMLAttributes<HTMLInputElement>, "role"> & { label: ComponentChildren; hint?: ComponentChildren };

/** A labelled input with an optional hint read with it. */
export function TextField({ label, hint, ...input }: InputProps) {
  const id = useId();
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input id={id} aria-describedby={hint ? `${id}-hint` : undefined} {...(input as InputHTMLAttributes<HTMLInputElement>)} />
      {hint && (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
    </div>
  );
}

export function CheckboxField({ label, hint, ...input }: InputProps) {
  const id = useId();
  return (
    <div class="field checkbox">
      <input {...({ ...input, id, type: "checkbox", "aria-describedby": hint ? `${id}-hint` : undefined } as InputHTMLAttributes<HTMLInputElement>)} />
      <label for={id}>{label}</label>
      {hint && (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
    </div>
  );
}

type SelectProps = Omit<PartialSelectHTMLAttributes<HTMLSelectElement>, "role" | "size"> & { label: ComponentChildren; hint?: ComponentChildren; children: ComponentChildren };

export function SelectField({ label, hint, children, ...select }: SelectProps) {
  const id = useId();
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <select id={id} aria-describedby={hint ? `${id}-hint` : undefined} {...(select as SelectHTMLAttributes<HTMLSelectElement>)}>
        {children}
      </select>
      {hint && (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
    </div>
  );
}

interface DialogProps {
  title: string;
  open: boolean;
  onClose: () => void;
  children: ComponentChildren;
}

/** A modal dialog (the browser's own: it traps focus and closes on Escape). */
export function Dialog({ title, open, onClose, children }: DialogProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (open && !element.open) element.showModal();
    if (!open && element.open) element.close();
  }, [open]);
  return (
    <dialog ref={dialog} aria-labelledby={titleId} onClose={onClose}>
      <h2 id={titleId}>{title}</h2>
      {open && children}
    </dialog>
  );
}
