"use client";
import { useEffect, useId, useRef, useState, type KeyboardEvent } from "react";
import { inputClass } from "./field";

export type PickerChoice = { id: string; label: string };

/**
 * A searchable picker for a choice that grows with the organisation (a user, a
 * profile): typing asks the server for at most a page of matches (`search`, a server
 * action that checks privileges itself), instead of a <select> of every row. The
 * choice travels as a hidden input named `name`; the visible box carries the Field's
 * id, so its label and help apply. `noneLabel` adds a "none" choice (value ""), `fixed`
 * further choices that are not searched for.
 */
export function SearchPicker({
  name,
  initial,
  search,
  placeholder,
  noneLabel,
  fixed = [],
  noMatches,
  describedBy,
  invalid,
}: {
  name: string;
  initial: PickerChoice | null;
  search: (query: string) => Promise<PickerChoice[]>;
  placeholder: string;
  noneLabel?: string;
  /** Choices always offered after "none", before the matches (a list filter's "no profile"). */
  fixed?: PickerChoice[];
  noMatches: string;
  describedBy?: string;
  invalid?: boolean;
}) {
  const listId = useId();
  const [selected, setSelected] = useState<PickerChoice | null>(initial);
  const [open, setOpen] = useState(false);
  const [query, setQuery] = useState("");
  const [matches, setMatches] = useState<PickerChoice[] | null>(null);
  const [active, setActive] = useState(0);
  const asked = useRef(0);
  // Choices before the matches: "none" and the fixed ones.
  const leading = (noneLabel !== undefined ? 1 : 0) + fixed.length;

  useEffect(() => {
    if (!open) return;
    const ticket = ++asked.current;
    // A short pause while typing, so each key does not cost a request.
    const timer = setTimeout(() => {
      search(query).then(
        (found) => {
          if (ticket === asked.current) {
            setMatches(found);
            // Someone who typed wants a match: highlight the first one, not "none".
            setActive(query.trim() && found.length ? leading : 0);
          }
        },
        () => ticket === asked.current && setMatches([]),
      );
    }, 200);
    return () => clearTimeout(timer);
  }, [open, query, search, leading]);

  const options: (PickerChoice | null)[] = [...(noneLabel !== undefined ? [null] : []), ...fixed, ...(matches ?? [])];
  const pick = (choice: PickerChoice | null) => {
    setSelected(choice);
    setOpen(false);
    setQuery("");
  };
  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      if (!open) setOpen(true);
      setActive((i) => Math.min(Math.max(i + (e.key === "ArrowDown" ? 1 : -1), 0), Math.max(options.length - 1, 0)));
    } else if (e.key === "Enter" && open) {
      // Choose, not submit the form.
      e.preventDefault();
      if (options.length) pick(options[active] ?? null);
    } else if (e.key === "Escape") {
      setOpen(false);
      setQuery("");
    }
  };
  const optionId = (i: number) => `${listId}-${i}`;
  return (
    <div className="relative">
      <input type="hidden" name={name} value={selected?.id ?? ""} />
      <input
        id={name}
        type="text"
        role="combobox"
        autoComplete="off"
        aria-autocomplete="list"
        aria-expanded={open}
        aria-controls={listId}
        aria-activedescendant={open && options.length ? optionId(active) : undefined}
        aria-describedby={describedBy}
        aria-invalid={invalid || undefined}
        placeholder={placeholder}
        value={open ? query : (selected?.label ?? noneLabel ?? "")}
        onFocus={() => setOpen(true)}
        onChange={(e) => {
          setOpen(true);
          setQuery(e.target.value);
        }}
        onBlur={() => setOpen(false)}
        onKeyDown={onKeyDown}
        className={`${inputClass} w-full`}
      />
      {open ? (
        <ul id={listId} role="listbox" className="absolute z-10 mt-1 max-h-64 w-full overflow-auto rounded border border-slate-300 bg-white text-sm shadow-lg">
          {options.map((o, i) => (
            <li
              key={o?.id ?? ""}
              id={optionId(i)}
              role="option"
              aria-selected={i === active}
              // mousedown, not click: it comes before the box's blur closes the list.
              onMouseDown={(e) => {
                e.preventDefault();
                pick(o);
              }}
              className={`cursor-pointer px-3 py-1.5 ${i === active ? "bg-blue-50" : ""}`}
            >
              {o ? o.label : noneLabel}
            </li>
          ))}
          {matches !== null && matches.length === 0 ? <li className="px-3 py-1.5 text-slate-500">{noMatches}</li> : null}
        </ul>
      ) : null}
    </div>
  );
}
