import type { ComponentChildren } from 'preact';
import { useEffect, useId, useRef } from 'preact/hooks';
import { ApiProblem } from './api.ts';

/** A problem document as the console shows it: its title, its detail, and every field message. */
export function ProblemBanner({ error }: { error: unknown }) {
  if (error === undefined || error === null) return null;
  if (!(error instanceof ApiProblem)) {
    return (
      <div class="problem" role="alert">
        <strong>{error instanceof Error ? error.message : String(error)}</strong>
      </div>
    );
  }
  return (
    <div class="problem" role="alert">
      <strong>{error.title}</strong>
      {error.detail && error.fields.length === 0 ? <p>{error.detail}</p> : null}
      {error.fields.length > 0 ? (
        <ul>
          {error.fields.map((f) => (
            <li key={f.path}>
              <code>{f.path}</code>: {f.message}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

/** The message a problem has for one field, shown next to it. */
export function fieldError(error: unknown, name: string): string | undefined {
  if (!(error instanceof ApiProblem)) return undefined;
  return error.fields.find((f) => {
    const path = f.path.replace(/^(body|query|path)\./, '');
    return path === name || path.startsWith(`${name}.`) || path.startsWith(`${name}[`);
  })?.message;
}

interface FieldProps {
  readonly label: string;
  readonly error?: string | undefined;
  readonly hint?: ComponentChildren;
  readonly children: (id: string, describedBy: string | undefined) => ComponentChildren;
}

/** A labelled control with its hint and its field message from the API. */
export function Field({ label, error, hint, children }: FieldProps) {
  const id = useId();
  const describedBy = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div class={`field${error ? ' invalid' : ''}`}>
      <label for={id}>{label}</label>
      {children(id, describedBy || undefined)}
      {hint ? (
        <div class="hint" id={`${id}-hint`}>
          {hint}
        </div>
      ) : null}
      {error ? (
        <div class="field-error" id={`${id}-error`}>
          {error}
        </div>
      ) : null}
    </div>
  );
}

interface InputFieldProps {
  readonly label: string;
  readonly error?: string | undefined;
  readonly hint?: ComponentChildren;
  readonly value: string;
  readonly onValue: (value: string) => void;
  /** `password`: a secret, hidden and never offered by autocomplete. */
  readonly type?: 'text' | 'number' | 'datetime-local' | 'password';
  readonly min?: number;
  readonly max?: number;
}

/** A labelled one-line input (text, number, date-time, secret) in a {@link Field}, read as a string. */
export function InputField({ label, error, hint, value, onValue, type = 'text', min, max }: InputFieldProps) {
  const onInput = (e: { currentTarget: HTMLInputElement }) => onValue(e.currentTarget.value);
  return (
    <Field label={label} error={error} hint={hint}>
      {(id, describedBy) =>
        type === 'number' ? (
          <input
            id={id}
            aria-describedby={describedBy}
            type="number"
            {...(min !== undefined ? { min } : {})}
            {...(max !== undefined ? { max } : {})}
            value={value}
            onInput={onInput}
          />
        ) : type === 'password' ? (
          <input
            id={id}
            aria-describedby={describedBy}
            type="password"
            autocomplete="off"
            value={value}
            onInput={onInput}
          />
        ) : type === 'datetime-local' ? (
          <input
            id={id}
            aria-describedby={describedBy}
            type="datetime-local"
            value={value}
            onInput={onInput}
          />
        ) : (
          <input id={id} aria-describedby={describedBy} value={value} onInput={onInput} />
        )
      }
    </Field>
  );
}

interface TextAreaFieldProps {
  readonly label: string;
  readonly error?: string | undefined;
  readonly hint?: ComponentChildren;
  readonly value: string;
  readonly onValue: (value: string) => void;
  readonly rows?: number;
  /** Code (JSON, HTML): monospace, no spell checking. */
  readonly code?: boolean;
}

/** A labelled multi-line input in a {@link Field}. */
export function TextAreaField({ label, error, hint, value, onValue, rows, code }: TextAreaFieldProps) {
  return (
    <Field label={label} error={error} hint={hint}>
      {(id, describedBy) => (
        <textarea
          id={id}
          aria-describedby={describedBy}
          {...(rows !== undefined ? { rows } : {})}
          {...(code ? { class: 'code', spellcheck: false } : {})}
          value={value}
          onInput={(e) => onValue(e.currentTarget.value)}
        />
      )}
    </Field>
  );
}

interface ToggleProps {
  readonly label: string;
  readonly checked: boolean;
  readonly disabled?: boolean;
  readonly onChange: (checked: boolean) => void;
  readonly error?: string | undefined;
  readonly children?: ComponentChildren;
}

/** An on/off switch: a checkbox with the switch role, its label its accessible name. */
export function Toggle({ label, checked, disabled, onChange, error, children }: ToggleProps) {
  const id = useId();
  return (
    <div class={`field toggle${error ? ' invalid' : ''}`}>
      <input
        id={id}
        type="checkbox"
        role="switch"
        checked={checked}
        aria-checked={checked}
        disabled={disabled}
        aria-describedby={children ? `${id}-hint` : undefined}
        onChange={(e) => onChange(e.currentTarget.checked)}
      />
      <label for={id}>{label}</label>
      {children ? (
        <div class="hint" id={`${id}-hint`}>
          {children}
        </div>
      ) : null}
      {error ? <div class="field-error">{error}</div> : null}
    </div>
  );
}

interface CheckboxGroupProps<T extends string> {
  readonly legend: string;
  readonly options: readonly T[];
  readonly selected: readonly T[];
  readonly onChange: (selected: T[]) => void;
  /** The API's message for the field, shown under the boxes. */
  readonly error?: string | undefined;
}

/** A set of choices as labelled checkboxes in a fieldset (scopes of a key, channels of a webhook). */
export function CheckboxGroup<T extends string>({
  legend,
  options,
  selected,
  onChange,
  error,
}: CheckboxGroupProps<T>) {
  return (
    <fieldset class={error ? 'invalid' : ''}>
      <legend>{legend}</legend>
      {options.map((option) => (
        <label key={option} class="inline">
          <input
            type="checkbox"
            checked={selected.includes(option)}
            onChange={(e) =>
              onChange(e.currentTarget.checked ? [...selected, option] : selected.filter((o) => o !== option))
            }
          />{' '}
          {option}
        </label>
      ))}
      {error ? <div class="field-error">{error}</div> : null}
    </fieldset>
  );
}

/** Counts per status as a bar (proportional segments) and the same numbers as text. */
export function StatusBar({ counts, label }: { counts: Readonly<Record<string, number>>; label: string }) {
  const entries = Object.entries(counts).filter(([, n]) => n > 0);
  const total = entries.reduce((sum, [, n]) => sum + n, 0);
  return (
    <figure class="status-bar" aria-label={label}>
      <div class="bar" aria-hidden="true">
        {entries.map(([status, n]) => (
          <span
            key={status}
            class={`segment s-${status}`}
            style={{ width: `${(100 * n) / (total || 1)}%` }}
          />
        ))}
      </div>
      <figcaption>
        <ul class="counts">
          {entries.length === 0 ? <li>no messages yet</li> : null}
          {entries.map(([status, n]) => (
            <li key={status}>
              <span class={`dot s-${status}`} aria-hidden="true" /> {status}: <strong>{n}</strong>
            </li>
          ))}
        </ul>
      </figcaption>
    </figure>
  );
}

/** What an action just did (`role="status"`: read out when it appears), shown while there is something to say. */
export function Notice({ text }: { text: string | undefined }) {
  return text ? (
    <p class="notice" role="status">
      {text}
    </p>
  ) : null;
}

/** The next page of a listing (`usePagedList`'s `next` and `more`), shown while there is one. */
export function LoadMore({
  next,
  more,
  label = 'Load more',
}: {
  next: string | undefined;
  more: () => void;
  label?: string;
}) {
  return next ? (
    <button type="button" onClick={more}>
      {label}
    </button>
  ) : null;
}

export const formatTime = (iso: string | undefined) => (iso ? new Date(iso).toLocaleString() : '—');

/**
 * A modal dialog on the native `<dialog>`: `showModal()` moves the focus into it (to its
 * `autofocus` control) and makes the page behind it inert, Escape closes it (its `cancel` event),
 * and when it goes the focus returns to the control that opened it.
 */
export function Modal({
  labelledBy,
  onClose,
  children,
}: {
  labelledBy: string;
  onClose: () => void;
  children: ComponentChildren;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const dialog = ref.current;
    dialog?.showModal();
    return () => {
      dialog?.close();
      opener?.focus();
    };
  }, []);
  return (
    <dialog
      ref={ref}
      class="dialog"
      aria-labelledby={labelledBy}
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
    >
      {children}
    </dialog>
  );
}
