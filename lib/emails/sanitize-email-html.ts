import sanitizeHtml from "sanitize-html";

export type SanitizeEmailOptions = {
  /** Keep remote (http/https) images; otherwise each is replaced by a placeholder and counted. */
  allowRemote?: boolean;
  /** The URL that serves the attachment with this Content-ID (no angle brackets), or null when there is none. */
  cidUrl?: (contentId: string) => string | null;
};

export type SanitizedEmail = {
  html: string;
  /** Remote images (and CSS backgrounds) left out because remote content was not asked for. */
  blockedImages: number;
};

/** A grey box the size of the image it stands for; an <img> never runs an SVG's script. */
export const BLOCKED_IMAGE_PLACEHOLDER =
  "data:image/svg+xml;base64," +
  Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16"><rect width="16" height="16" fill="#e2e8f0"/></svg>').toString("base64");

const ALLOWED_TAGS = [
  "a", "abbr", "address", "b", "bdi", "bdo", "big", "blockquote", "br", "caption", "center", "cite", "code", "col", "colgroup",
  "dd", "del", "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "font", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img",
  "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp", "small", "span", "strike", "strong", "style", "sub", "sup",
  "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr", "tt", "u", "ul", "var", "wbr",
];

// Tags whose content is dropped with them (the rest lose the tag and keep their text).
const DROP_WITH_CONTENT = [
  "script", "textarea", "option", "select", "noscript", "title", "xmp", "iframe", "frame", "frameset", "noembed", "noframes",
  "object", "embed", "applet", "template", "svg", "math", "head", "button", "form", "audio", "video",
];

const LAYOUT_ATTRIBUTES = ["style", "align", "valign", "width", "height", "bgcolor", "border", "dir", "lang", "title", "class"];

// Only these properties survive in style attributes, each with a value that cannot fetch or run anything.
const SAFE_VALUE = /^(?!.*(url|expression|javascript|vbscript|image|element|cross-fade|@import|behavior|binding|\\|\/\*))[#\w\s.,%()'"!/+-]*$/i;
const STYLE_PROPERTIES = [
  "color", "background-color", "font", "font-family", "font-size", "font-style", "font-weight", "font-variant", "line-height",
  "letter-spacing", "word-spacing", "text-align", "text-decoration", "text-indent", "text-transform", "vertical-align", "white-space",
  "word-break", "word-wrap", "overflow-wrap", "direction", "width", "min-width", "max-width", "height", "min-height", "max-height",
  "margin", "margin-top", "margin-right", "margin-bottom", "margin-left", "padding", "padding-top", "padding-right",
  "padding-bottom", "padding-left", "border", "border-top", "border-right", "border-bottom", "border-left", "border-color",
  "border-style", "border-width", "border-radius", "border-collapse", "border-spacing", "display", "float", "clear",
  "list-style-type", "table-layout", "text-overflow", "overflow",
];
const ALLOWED_STYLES = { "*": Object.fromEntries(STYLE_PROPERTIES.map((p) => [p, [SAFE_VALUE]])) };

const NUMERIC = /^\d{1,5}(%|px)?$/;

/** Lower-cased scheme of a URL after the tricks browsers forgive (spaces, control characters) are removed. */
function schemeOf(url: string): string | null {
  const compact = url.replace(/[\u0000-\u0020\u007f-\u009f]/g, "").toLowerCase();
  const m = /^([a-z][a-z0-9+.-]*):/.exec(compact);
  if (m) return m[1];
  return compact.startsWith("//") ? "//" : null;
}

const DATA_IMAGE = /^data:image\/(png|gif|jpe?g|webp);base64,[a-z0-9+/=\s]+$/i;

/**
 * Cleans a message's HTML for display in a sandboxed frame: no scripts, event
 * handlers, forms, frames, objects, meta refresh or base; links only http(s)/mailto;
 * a short list of style properties; <style> blocks without imports, URLs or
 * expressions. `cid:` images point at `cidUrl`; remote images become a placeholder
 * (and are counted) unless `allowRemote`. The frame's Content-Security-Policy is the
 * second line of defence: this function alone must already be safe.
 */
export function sanitizeEmailHtml(html: string, options: SanitizeEmailOptions = {}): SanitizedEmail {
  let blockedImages = 0;
  const allowRemote = options.allowRemote === true;

  const imageSource = (src: string): string | null => {
    const scheme = schemeOf(src);
    if (scheme === "cid") {
      const id = safeDecode(src.trim().slice(4)).replace(/^<|>$/g, "");
      return options.cidUrl?.(id) ?? null;
    }
    if (scheme === "http" || scheme === "https" || scheme === "//") {
      // A protocol-relative URL would resolve against the app's own origin scheme; make it https.
      if (allowRemote) return scheme === "//" ? `https:${src.trim()}` : src.trim();
      blockedImages++;
      return BLOCKED_IMAGE_PLACEHOLDER;
    }
    // mailparser inlines cid images as raster data: URLs; an <img> cannot run them.
    if (scheme === "data" && DATA_IMAGE.test(src.trim())) return src.trim();
    return null;
  };

  const clean = sanitizeHtml(html, {
    allowedTags: ALLOWED_TAGS,
    allowVulnerableTags: true, // <style>: its text is cleaned by cleanStyleSheet below
    nonTextTags: DROP_WITH_CONTENT,
    disallowedTagsMode: "discard",
    allowedAttributes: {
      "*": LAYOUT_ATTRIBUTES,
      a: ["href", "name", "rel"],
      img: ["src", "alt"],
      font: ["color", "face", "size"],
      td: ["colspan", "rowspan", "nowrap"],
      th: ["colspan", "rowspan", "nowrap", "scope"],
      table: ["cellpadding", "cellspacing", "summary"],
      ol: ["start", "type"],
      col: ["span"],
      colgroup: ["span"],
      style: [],
    },
    allowedSchemes: ["http", "https", "mailto"],
    allowedSchemesByTag: { img: ["http", "https", "data"] },
    allowedSchemesAppliedToAttributes: ["href", "src", "cite"],
    allowProtocolRelative: false,
    allowedStyles: ALLOWED_STYLES,
    transformTags: {
      img: (tagName, attribs) => {
        const next: Record<string, string> = { ...attribs };
        const src = attribs.src ? imageSource(attribs.src) : null;
        if (src) next.src = src;
        else delete next.src;
        for (const a of ["width", "height"]) if (next[a] && !NUMERIC.test(next[a])) delete next[a];
        return { tagName, attribs: next };
      },
      a: (tagName, attribs) => {
        const next: Record<string, string> = { ...attribs, rel: "noopener noreferrer" };
        const scheme = attribs.href ? schemeOf(attribs.href) : null;
        if (scheme !== "http" && scheme !== "https" && scheme !== "mailto") delete next.href;
        return { tagName, attribs: next };
      },
      style: (tagName) => ({ tagName, attribs: {} }),
    },
  });

  const html2 = clean.replace(/<style>([\s\S]*?)<\/style>/g, (_m, css: string) => {
    const result = cleanStyleSheet(css, allowRemote);
    blockedImages += result.blocked;
    return result.css ? `<style>${result.css}</style>` : "";
  });
  return { html: html2, blockedImages };
}

/**
 * Makes a <style> block's text harmless: no comments or escapes (which hide the
 * rest), no @import/@font-face/@namespace, no expression()/behavior/-moz-binding,
 * no javascript:. url() is kept only for https images when remote content is allowed.
 */
function cleanStyleSheet(input: string, allowRemote: boolean): { css: string; blocked: number } {
  let blocked = 0;
  let css = input
    .replace(/\/\*[\s\S]*?(\*\/|$)/g, "")
    .replace(/\\/g, "")
    .replace(/<\/?[a-z!]/gi, "")
    .replace(/@import[^;]*;?/gi, "")
    .replace(/@(font-face|namespace)[^{]*\{[^}]*\}?/gi, "")
    .replace(/@(font-face|namespace|charset)[^;{]*;?/gi, "")
    .replace(/expression\s*\(/gi, "(")
    .replace(/(behavior|-moz-binding)\s*:[^;}]*/gi, "")
    .replace(/(java|vb)script\s*:/gi, "");
  css = css.replace(/\b(url|image-set|-webkit-image-set|image|cross-fade|element|src)\s*\(([^)]*)\)?/gi, (_m, fn: string, arg: string) => {
    const target = arg.trim().replace(/^['"]|['"]$/g, "").trim();
    if (allowRemote && fn.toLowerCase() === "url" && schemeOf(target) === "https" && !/['"()\s]/.test(target)) return `url("${target}")`;
    if (/^(https?:)?\/\//i.test(target)) blocked++;
    return "none";
  });
  return { css: css.trim(), blocked };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
