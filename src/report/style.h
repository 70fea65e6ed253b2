// The report's stylesheet and the small inline script (load time and error counts written into
// <html data-*> so headless browsers and tests can read them from the DOM).
#pragma once

namespace faceatlas::report {

inline constexpr const char* kStyle = R"css(
:root{--fg:#0f172a;--muted:#64748b;--line:#e2e8f0;--bg:#f1f5f9;--card:#fff;--accent:#0d9488}
*{box-sizing:border-box}
body{margin:0;font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:var(--fg);background:var(--bg)}
header.top{background:#0f172a;color:#f8fafc;padding:22px 32px 14px}
header.top h1{margin:0;font-size:24px;font-weight:650;letter-spacing:-.01em}
header.top .sub{margin:4px 0 10px;color:#94a3b8;font-size:13px}
header.top nav a{color:#5eead4;margin-right:16px;text-decoration:none;font-size:13px}
main{max-width:1200px;margin:0 auto;padding:20px 24px 40px}
section.person{content-visibility:auto;contain-intrinsic-size:auto 560px}
.names{font-size:12px;line-height:1.9;margin:12px 0 0}
.names a{color:#0369a1;text-decoration:none}
section{background:var(--card);border-radius:12px;padding:20px 24px;margin:0 0 18px;box-shadow:0 1px 2px rgba(15,23,42,.06)}
h2{margin:0 0 12px;font-size:19px}
h3{margin:18px 0 8px;font-size:14px;color:var(--muted);font-weight:600;text-transform:uppercase;letter-spacing:.04em}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:10px}
.card{border:1px solid var(--line);border-radius:10px;padding:10px 14px}
.card .v{font-size:22px;font-weight:650}
.card .k{color:var(--muted);font-size:12px}
svg.chart{max-width:100%;height:auto;display:block}
svg.map{width:100%}
svg.demography{max-width:660px}
.note{color:var(--muted);font-size:13px;margin:4px 0 8px}
.avatars{display:flex;flex-wrap:wrap;gap:8px}
.avatars a{display:flex;flex-direction:column;align-items:center;width:76px;text-decoration:none;color:var(--fg);font-size:11px}
.avatars img,.avatars .ph{width:60px;height:60px;border-radius:50%;object-fit:cover;border:3px solid var(--c,#cbd5e1)}
.avatars span{max-width:76px;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.person-head{display:flex;align-items:center;gap:14px;margin-bottom:12px}
.person-head img,.person-head .ph{width:64px;height:64px;border-radius:50%;object-fit:cover;border:4px solid var(--c,#cbd5e1)}
.person-head h2{margin:0}
.badge{display:inline-block;background:#ccfbf1;color:#115e59;border-radius:999px;padding:1px 10px;font-size:12px;margin-left:6px;vertical-align:middle}
.person-body{display:grid;grid-template-columns:minmax(240px,1fr) minmax(300px,430px);gap:18px 28px;align-items:start}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:4px 14px;margin:0}
dl.facts dt{color:var(--muted)}
dl.facts dd{margin:0}
.conf{color:var(--muted);font-size:12px}
.eigen{display:flex;flex-wrap:wrap;gap:10px;margin-top:4px}
.eigen figure{margin:0;text-align:center;font-size:11px;color:var(--muted)}
.eigen img{width:96px;height:96px;border-radius:8px;display:block;background:#e2e8f0}
.grid{display:flex;flex-wrap:wrap;gap:6px;margin-top:6px}
.grid img,.grid .ph{width:72px;height:72px;border-radius:8px;object-fit:cover;background:#e2e8f0}
.grid .rep{outline:3px solid #f59e0b;outline-offset:1px}
.ph{display:inline-flex;align-items:center;justify-content:center;color:#94a3b8;font-size:10px;background:#e2e8f0}
.more{align-self:center;color:var(--muted);font-size:12px;padding-left:6px}
details{margin-top:10px}
summary{cursor:pointer;color:var(--muted)}
ul.photos{columns:3 240px;margin:6px 0 0;padding-left:18px;font-size:12px}
ul.photos a{color:#0369a1;text-decoration:none}
table.data{border-collapse:collapse;font-size:13px;margin:6px 0 12px}
table.data th,table.data td{border-bottom:1px solid var(--line);padding:4px 10px;text-align:left}
table.data th{color:var(--muted);font-weight:600}
.cluster{border-top:1px solid var(--line);padding:10px 0}
.bars span{display:inline-block;background:#ccfbf1;color:#115e59;border-radius:6px;padding:0 8px;margin:2px 4px 2px 0;font-size:12px}
h4{margin:6px 0 6px;font-size:13px;color:var(--fg);font-weight:650}
svg.silhouette{max-width:760px}
.before-after{display:grid;grid-template-columns:1fr 1fr;gap:18px;align-items:start}
.before-after>div{min-width:0;border:1px solid var(--line);border-radius:10px;padding:8px 12px}
.groups{display:grid;grid-template-columns:repeat(auto-fill,minmax(440px,1fr));gap:12px}
.before-after.stack{grid-template-columns:1fr}
.before-after .groups{grid-template-columns:1fr}
.group{border:1px solid var(--line);border-radius:10px;padding:10px 12px;min-width:0}
.group-head{margin-bottom:4px}
.group .grid img,.group .grid .ph,.part .grid img,.part .grid .ph{width:56px;height:56px}
.means span{display:inline-block;background:#f1f5f9;color:#334155;border-radius:6px;padding:0 8px;margin:2px 4px 4px 0;font-size:12px}
table.data tr.best td{background:#f0fdfa;font-weight:600}
table.metrics td{font-variant-numeric:tabular-nums;padding-right:22px}
.confusion{border:1px solid var(--line);border-left:4px solid #f97316;border-radius:10px;padding:10px 14px;margin:0 0 12px}
.confusion.split{border-left-color:#6366f1}
.case-head{margin-bottom:8px}
.case-head a{color:#0369a1;text-decoration:none;font-weight:650}
.bad{color:#c2410c;font-size:12px;margin-left:6px}
.parts{display:flex;flex-wrap:wrap;gap:10px 22px;margin-top:6px}
.part{min-width:0}
.part-head{font-size:13px}
.part-head a{color:#0369a1;text-decoration:none}
.unsorted{color:var(--muted);font-style:italic}
svg.composition{max-width:100%}
footer{color:var(--muted);text-align:center;font-size:12px;padding:0 0 30px}
@media (max-width:800px){.person-body,.before-after{grid-template-columns:1fr}}
)css";

inline constexpr const char* kScript = R"js(
(function(){var d=document.documentElement,errors=[];
window.addEventListener('error',function(e){var t=e.target;errors.push(t&&t.src?'image '+t.src:String(e.message));d.setAttribute('data-errors',String(errors.length));d.setAttribute('data-error-list',errors.slice(0,20).join(' | '));},true);
function lazy(){var imgs=[].slice.call(document.querySelectorAll('img[data-src]'));function show(i){i.src=i.getAttribute('data-src');i.removeAttribute('data-src');}
if(!('IntersectionObserver' in window)){imgs.forEach(show);return;}
var io=new IntersectionObserver(function(es){es.forEach(function(e){if(e.isIntersecting){io.unobserve(e.target);show(e.target);}});},{rootMargin:'1200px 0px'});imgs.forEach(function(i){io.observe(i);});}
document.addEventListener('DOMContentLoaded',lazy);
window.addEventListener('load',function(){var broken=0;var imgs=document.images;for(var i=0;i<imgs.length;i++){if(!imgs[i].hasAttribute('data-src')&&imgs[i].complete&&imgs[i].naturalWidth===0)broken++;}
d.setAttribute('data-load-ms',performance.now().toFixed(1));var nav=performance.getEntriesByType('navigation')[0];if(nav)d.setAttribute('data-dcl-ms',nav.domContentLoadedEventEnd.toFixed(1));d.setAttribute('data-images',String(imgs.length));d.setAttribute('data-deferred-images',String(document.querySelectorAll('img[data-src]').length));d.setAttribute('data-broken-images',String(broken));d.setAttribute('data-errors',String(errors.length));});})();
)js";

}  // namespace faceatlas::report
