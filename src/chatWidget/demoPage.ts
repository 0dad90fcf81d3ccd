/** The two lines a shop pastes (docs/embed-widget.md), in a page that looks like a shop's product page. */
export function demoPage(args: { publicKey: string; scriptUrl: string; pageType: 'product' | 'cart' }): string {
  const e = escapeHtml;
  const other = args.pageType === 'product' ? 'cart' : 'product';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Comerix widget demo · ${e(args.pageType)} page</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; margin: 0; color: #1f2328; background: #f6f8fa; }
  main { max-width: 760px; margin: 0 auto; padding: 32px 20px 140px; }
  .product { background: #fff; border-radius: 12px; padding: 24px; box-shadow: 0 1px 3px rgba(0,0,0,.1); }
  code { background: #eaeef2; padding: 2px 5px; border-radius: 4px; }
</style>
</head>
<body>
<main>
  <h1>Acme Trail Shop <small>(${e(args.pageType)} page)</small></h1>
  <div class="product">
    <h2>${args.pageType === 'product' ? 'Trail runner 2' : 'Your cart'}</h2>
    <p>This page embeds the reference chat widget with two lines of HTML, the demo tenant's widget key and
      <code>page-type="${e(args.pageType)}"</code>: the quick questions shown are the ones for this page type.
      Open the chat at the bottom right.</p>
    <p><a href="?page=${other}">Show the ${other} page</a> · <a href="/api/docs">API docs</a></p>
  </div>
</main>
<script type="module" src="${e(args.scriptUrl)}"></script>
<comerix-chat public-key="${e(args.publicKey)}" page-type="${e(args.pageType)}"></comerix-chat>
</body>
</html>
`;
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
