"""Write the boilerplate measurement set: saved news pages of thirteen layouts, each with its article.

Every page is a made-up local news story wrapped in the chrome of one kind of site
(WordPress blog, newspaper CMS with JSON-LD, wire service, AMP page, live blog,
old table layout, tabloid with inline teasers, newsletter platform, Drupal council
site, magazine with comments; held out: Ghost blog, TV station site, Blogger
diary). ``NAME.html`` is the page; ``NAME.article.txt`` lists
its true article paragraphs, one per line, headline first. Run from the repo root:

    python eval/pages/build.py

The pages are committed; this script documents how they were made and rebuilds them.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

HERE = Path(__file__).resolve().parent

STORIES: dict[str, tuple[str, list[str]]] = {
    "wordpress": (
        "Allotment waiting list halved after new site opens",
        [
            "The waiting list for allotments in Brackenfield has fallen from 214 to 103 households since the new site at Mill Lane opened in April.",
            "The parish council leased the four-acre field from a local farmer for 25 years and divided it into 96 plots.",
            "Council clerk Hannah Oyelaran said the rent of 38 pounds a year per plot covers the water supply and the new fencing.",
            "Gardeners at the site have formed an association and plan a produce show for the first weekend of September.",
        ],
    ),
    "newspaper": (
        "City approves 14 million euro plan to rebuild the Saltmarket bridge",
        [
            "Councillors in Dunmere voted 31 to 9 on Thursday to rebuild the Saltmarket bridge, closed to cars since cracks were found in its piers last winter.",
            "The new bridge will cost 14.2 million euros, of which the national roads fund pays 60 percent and the city the rest.",
            "Work is due to start in March and the bridge should reopen to traffic in the autumn of the following year.",
            "Traders on the east bank said the closure had cut their takings by a fifth and asked the city for help with rents until the work is finished.",
            "Mayor Colm Farrelly said a temporary footbridge would stay open throughout the works.",
        ],
    ),
    "wire": (
        "Regional airline adds winter route to Tromsø",
        [
            "NORDHAVN, Nov 3 - Regional carrier Skyline Nord will fly twice a week between Nordhavn and Tromsø from December 15, the airline said on Monday.",
            "The route will use a 72-seat turboprop and run until the end of March, when the airline will decide whether to keep it for the summer.",
            "Skyline Nord carried 1.2 million passengers last year, up 8 percent, and has ordered three more aircraft for delivery in 2026.",
            "Tickets start at 89 euros one way, the company said.",
        ],
    ),
    "amp": (
        "Lifeboat crew rescues four after yacht loses its mast",
        [
            "Volunteers from the Carrick lifeboat station rescued four people on Saturday night after their yacht lost its mast eleven miles off the headland.",
            "The crew reached the yacht about 40 minutes after the coastguard's call and towed it back to harbour, arriving shortly after two in the morning.",
            "Coxswain Declan Murray said the sailors were cold but unhurt and had done the right thing by staying with the boat and wearing life jackets.",
            "It was the station's 23rd call-out this year.",
        ],
    ),
    "liveblog": (
        "Flood warnings lifted as the Wenn river falls",
        [
            "The environment agency lifted the last two flood warnings on the Wenn on Tuesday morning as the river fell back below its banks at Ashby.",
            "About 60 homes in Lower Ashby were flooded on Sunday, and the county council has opened a help centre at the community hall.",
            "The agency said the river had peaked at 4.3 metres on Monday, the highest level since 2007.",
            "Residents can claim an emergency payment of 500 pounds per household from the council until the end of the month.",
            "Road closures at Ferry Lane and the Old Mill bridge will stay in place until engineers have inspected them.",
        ],
    ),
    "table": (
        "Village hall roof repaired in time for winter",
        [
            "The leaking roof of the Upper Tolland village hall has been repaired after a three-year fundraising effort by residents.",
            "The work cost 42,000 pounds, of which 30,000 came from a lottery grant and the rest from quiz nights, a sponsored walk and donations.",
            "Hall committee chair Brian Catterall said the hall would reopen for the Christmas fair on the first Saturday of December.",
        ],
    ),
    "tabloid": (
        "Pensioner wins national marrow championship with 54 kilo giant",
        [
            "A retired postman from Kessock has won the national giant vegetable championship with a marrow weighing 54.3 kilograms.",
            "Arthur Penhaligon, 78, grew the marrow in a polytunnel behind his house and fed it with seaweed from the local beach.",
            "The judges said it was the heaviest marrow entered in the championship for eleven years.",
            "Mr Penhaligon said he would save the seeds and try to beat his own record next summer.",
            "The championship drew 340 entries from across the country this year.",
        ],
    ),
    "newsletter": (
        "Why our town's bus timetable changed on Monday",
        [
            "From Monday the number 12 bus no longer runs after 8 in the evening, and the Sunday service has been cut from hourly to every two hours.",
            "The operator, Greenline, says the late buses carried an average of six passengers and cost about 140,000 pounds a year to run.",
            "The county council stopped subsidising the route in the spring after its transport budget was reduced by 1.1 million pounds.",
            "A petition asking the council to restore the evening service has gathered 2,300 signatures and will be debated at the next full council meeting.",
        ],
    ),
    "drupal": (
        "Council consults on new cycle lanes along Harbour Road",
        [
            "Westby Borough Council has opened a public consultation on plans for protected cycle lanes on both sides of Harbour Road.",
            "The scheme would remove 48 parking spaces and add two new pedestrian crossings near the primary school.",
            "It is funded by a 2.6 million pound grant from the active travel fund and must be completed by March 2027.",
            "Residents can comment online or at drop-in sessions at the library until 14 November.",
        ],
    ),
    "magazine": (
        "The last ropemaker on the Ouse keeps an old trade alive",
        [
            "In a long brick shed beside the river, Eileen Marsh still twists hemp into rope the way her grandfather did in 1921.",
            "Her business, Marsh and Daughters, sells about 900 metres of rope a month, mostly to boat owners, theatres and a few bell towers.",
            "She took over the ropewalk in 1994 and has trained two apprentices, one of whom now runs the shop and the orders.",
            "The shed is open to visitors on Saturdays, and a demonstration at eleven shows how three strands become one rope.",
            "Marsh says demand has grown since a television programme featured the ropewalk last year.",
        ],
    ),
    # Held out: the three pages below were written after the extraction rules were set and
    # measured once, untuned (eval/RESULTS.md).
    "ghost": (
        "Night trains return to the coast line after eleven years",
        [
            "A sleeper service between Carrow and the coast will run three nights a week from May, the first night train on the line since 2014.",
            "The operator, Lumen Rail, has refurbished eight carriages bought from a mainland company and will sell berths from 49 euros.",
            "Tourism officials expect the service to bring around 20,000 extra visitors a year to the coastal towns.",
            "The regional government is paying 3.5 million euros towards the first two years of operation.",
        ],
    ),
    "tvstation": (
        "Hospital car park charges scrapped for night shift staff",
        [
            "Staff working night shifts at St Aldhelm's hospital will no longer pay to park from next month, the health board confirmed on Wednesday.",
            "Nurses had complained that the 6.40 pound nightly charge took a large part of their pay, and a union petition gathered 1,800 names.",
            "The health board said the change would cost it about 210,000 pounds a year in lost income.",
            "Day staff and visitors will continue to pay the current rates.",
        ],
    ),
    "blogger": (
        "Swifts return to the church tower in record numbers",
        [
            "Volunteers counting swifts at St Bride's church tower recorded 62 nesting pairs this summer, up from 41 last year.",
            "The nest boxes were fitted inside the louvres of the bell chamber in 2021 with a grant from the county wildlife trust.",
            "Swifts spend the winter in Africa and return to the same nest sites each May, the group's coordinator Rhian Pugh explained.",
        ],
    ),
}


def _paragraphs(paras: list[str], cls: str = "") -> str:
    attr = f' class="{cls}"' if cls else ""
    return "\n".join(f"<p{attr}>{escape(p)}</p>" for p in paras)


def wordpress(title: str, paras: list[str]) -> str:
    return f"""<!DOCTYPE html><html lang="en-GB"><head><meta charset="UTF-8">
<title>{escape(title)} &#8211; Brackenfield Village News</title>
<meta name="generator" content="WordPress 6.4">
<meta property="og:title" content="{escape(title)}"><meta property="article:published_time" content="2025-06-02T09:12:44+00:00">
<link rel="canonical" href="https://brackenfield.example/2025/06/02/allotment-waiting-list-halved/">
</head><body class="post-template-default single single-post">
<a class="skip-link screen-reader-text" href="#content">Skip to content</a>
<header id="masthead" class="site-header"><p class="site-title"><a href="/">Brackenfield Village News</a></p>
<p class="site-description">Parish news, events and notices</p>
<nav id="site-navigation" class="main-navigation"><ul id="primary-menu" class="menu"><li><a href="/">Home</a></li><li><a href="/events">Events</a></li><li><a href="/parish-council">Parish council</a></li><li><a href="/clubs">Clubs and groups</a></li><li><a href="/contact">Contact</a></li></ul></nav></header>
<div id="content" class="site-content"><main id="main" class="site-main">
<article id="post-1412" class="post-1412 post type-post status-publish format-standard hentry category-community">
<header class="entry-header"><h1 class="entry-title">{escape(title)}</h1>
<div class="entry-meta"><span class="posted-on">Posted on <time class="entry-date published" datetime="2025-06-02T09:12:44+00:00">2 June 2025</time></span><span class="byline"> by <span class="author vcard"><a class="url fn n" href="/author/jkemp/">Judith Kemp</a></span></span></div></header>
<div class="entry-content">
{_paragraphs(paras)}
<div class="sharedaddy sd-sharing-enabled"><h3 class="sd-title">Share this:</h3><ul><li><a class="share-twitter" href="#">Twitter</a></li><li><a class="share-facebook" href="#">Facebook</a></li><li><a class="share-print" href="#">Print</a></li></ul></div>
<div class="jp-relatedposts"><h3 class="jp-relatedposts-headline">Related</h3><p><a href="/a">Spring plant sale raises record sum</a></p><p><a href="/b">Footpath to the church to be resurfaced</a></p></div>
</div>
<footer class="entry-footer"><span class="cat-links">Posted in <a href="/category/community">Community</a></span><span class="tags-links">Tagged <a href="/tag/allotments">allotments</a>, <a href="/tag/gardening">gardening</a></span></footer>
</article>
<nav class="navigation post-navigation"><h2 class="screen-reader-text">Post navigation</h2><div class="nav-previous"><a href="/p">Previous post: Cricket club seeks new members</a></div><div class="nav-next"><a href="/n">Next post: Bin collection changes over the bank holiday</a></div></nav>
<div id="comments" class="comments-area"><h2 class="comments-title">3 thoughts on this post</h2><ol class="comment-list"><li class="comment"><div class="comment-content"><p>Wonderful news, we have been waiting for four years.</p></div></li><li class="comment"><div class="comment-content"><p>Is there still a plot free near the gate?</p></div></li></ol>
<div id="respond" class="comment-respond"><h3>Leave a Reply</h3><form><p>Your email address will not be published.</p><textarea></textarea><input type="submit" value="Post Comment"></form></div></div>
</main><aside id="secondary" class="widget-area"><section class="widget widget_search"><form><label>Search for:</label><input type="search"></form></section><section class="widget widget_recent_entries"><h2 class="widget-title">Recent Posts</h2><ul><li><a href="/r1">Summer fete programme announced</a></li><li><a href="/r2">Library van timetable</a></li></ul></section></aside></div>
<footer id="colophon" class="site-footer"><div class="site-info">Proudly powered by WordPress | Theme: Twenty Twenty-One. Copyright Brackenfield Parish 2025.</div></footer>
</body></html>"""


def newspaper(title: str, paras: list[str]) -> str:
    body = "\n".join(
        f'<p class="article-body__paragraph" data-index="{i}">{escape(p)}</p>'
        + (
            '\n<div class="ad-slot ad-slot--inline"><span class="ad-label">Advertisement</span><div id="gpt-ad-mid"></div></div>'
            if i == 1
            else ""
        )
        + (
            '\n<aside class="read-more"><strong>Read more:</strong> <a href="/x">Harbour tunnel tolls to rise in January</a></aside>'
            if i == 2
            else ""
        )
        for i, p in enumerate(paras)
    )
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)} – The Dunmere Standard</title>
<meta property="og:site_name" content="The Dunmere Standard"><meta property="og:type" content="article">
<meta property="og:url" content="https://dunmerestandard.example/news/city/saltmarket-bridge-rebuild-approved-1.4471230">
<meta name="description" content="Councillors back plan to rebuild closed river crossing">
<script type="application/ld+json">{{"@context":"https://schema.org","@type":"NewsArticle","headline":"{escape(title)}","datePublished":"2025-10-09T18:40:00+01:00","dateModified":"2025-10-10T08:02:00+01:00","author":{{"@type":"Person","name":"Siobhan Kerrigan"}},"publisher":{{"@type":"Organization","name":"The Dunmere Standard"}}}}</script>
<script>var googletag = googletag || {{}}; googletag.cmd = [];</script></head>
<body><div class="paywall-meter" style="display:none">You have 3 free articles left this month. Subscribe for unlimited access.</div>
<div id="onetrust-banner-sdk" role="dialog"><p id="onetrust-policy-text">By clicking Accept All Cookies, you agree to the storing of cookies on your device to enhance site navigation and analyse site usage.</p><button id="onetrust-accept-btn-handler">Accept All Cookies</button><button>Cookie Settings</button></div>
<header class="masthead"><div class="masthead__date">Friday 10 October 2025</div><a class="masthead__logo" href="/">The Dunmere Standard</a>
<nav class="section-nav"><a href="/news">News</a><a href="/news/city">City</a><a href="/sport">Sport</a><a href="/business">Business</a><a href="/opinion">Opinion</a><a href="/lifestyle">Lifestyle</a><a href="/puzzles">Puzzles</a></nav>
<div class="masthead__actions"><a href="/subscribe" class="btn">Subscribe</a><a href="/login">Sign in</a></div></header>
<main id="main-content"><div class="breadcrumbs"><a href="/news">News</a> › <a href="/news/city">City</a></div>
<article class="article">
<h1 class="article__headline">{escape(title)}</h1>
<p class="article__standfirst">Councillors back plan to rebuild closed river crossing</p>
<div class="article__byline">By <a rel="author" href="/authors/skerrigan">Siobhan Kerrigan</a>, City Reporter · <time datetime="2025-10-09T18:40:00+01:00">9 October 2025, 6.40pm</time></div>
<div class="article__share"><button>Share</button><a href="#">Facebook</a><a href="#">WhatsApp</a><a href="#">Copy link</a></div>
<div class="article-body">
{body}
</div>
<div class="article__topics"><span>Topics:</span> <a href="/t/transport">Transport</a> <a href="/t/council">Council</a></div>
</article>
<section class="most-read"><h2>Most read</h2><ol><li><a href="/1">Man charged after pub fire in Quayside</a></li><li><a href="/2">School league tables: how your school did</a></li><li><a href="/3">Weather warning for the weekend</a></li></ol></section>
<section class="newsletter-signup"><h2>Sign up to the Morning Standard</h2><p>The day's top stories delivered to your inbox every morning.</p><form><input type="email" placeholder="Email address"><button>Sign up</button></form></section>
</main>
<footer class="site-footer"><nav><a href="/about">About us</a><a href="/advertise">Advertise</a><a href="/privacy">Privacy notice</a><a href="/terms">Terms and conditions</a><a href="/cookies">Cookie policy</a></nav><p>© Dunmere Standard Media Ltd 2025. Registered in Ireland.</p></footer>
</body></html>"""


def wire(title: str, paras: list[str]) -> str:
    return f"""<html><head><title>{escape(title)} | Nordic Wire</title>
<meta name="dcterms.created" content="2025-11-03"><meta name="author" content="Lars Eklund">
<meta property="og:site_name" content="Nordic Wire"></head><body>
<div class="top-bar"><span>Markets</span> <span>OSLO +0.4%</span> <span>STOCKHOLM -0.2%</span> <span>EUR/NOK 11.62</span></div>
<div class="header"><a href="/">Nordic Wire</a> <ul class="nav"><li>World</li><li>Business</li><li>Markets</li><li>Technology</li><li>Breakingviews</li></ul></div>
<div class="container"><div class="story">
<h1 class="story-title">{escape(title)}</h1>
<div class="story-meta">By Lars Eklund · 2 Min Read</div>
<div class="story-body">
{_paragraphs(paras)}
<p class="story-credit">Reporting by Lars Eklund; Editing by Maren Holt</p>
<p class="trust">Our Standards: The Nordic Wire Trust Principles.</p>
</div></div>
<div class="sidebar"><h3>More from Nordic Wire</h3><ul><li><a href="/a">Shipping rates climb as winter demand builds</a></li><li><a href="/b">Salmon exports hit record in October</a></li></ul></div></div>
<div class="footer">All quotes delayed a minimum of 15 minutes. Nordic Wire, a news agency. Terms of Use · Privacy · Accessibility</div>
</body></html>"""


def amp(title: str, paras: list[str]) -> str:
    return f"""<!doctype html><html amp lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>
<link rel="canonical" href="https://westcoastecho.example/news/lifeboat-rescue-carrick-yacht">
<script async src="https://cdn.ampproject.org/v0.js"></script>
<style amp-custom>body{{font-family:sans-serif}}</style>
<script type="application/ld+json">{{"@type":"NewsArticle","headline":"{escape(title)}","datePublished":"2025-08-17T07:00:00Z","author":{{"@type":"Person","name":"Niamh Doherty"}}}}</script></head>
<body><amp-consent id="consent" layout="nodisplay"><div class="consent-ui"><p>This site uses cookies for analytics and personalised ads.</p><button on="tap:consent.accept">I agree</button><button on="tap:consent.reject">Decline</button></div></amp-consent>
<amp-sidebar id="menu" layout="nodisplay" side="left"><ul><li><a href="/news">News</a></li><li><a href="/sport">Sport</a></li><li><a href="/whats-on">What's on</a></li></ul></amp-sidebar>
<header class="amp-header"><button on="tap:menu.toggle">Menu</button><a href="/">West Coast Echo</a></header>
<article class="amp-article"><h1>{escape(title)}</h1>
<div class="amp-byline">Niamh Doherty · 17 Aug 2025</div>
<amp-img src="/img/lifeboat.jpg" width="600" height="400" layout="responsive" alt=""></amp-img>
{_paragraphs(paras)}
<amp-social-share type="facebook"></amp-social-share><amp-social-share type="twitter"></amp-social-share>
<div class="amp-related"><h2>You might also like</h2><a href="/r1">Beach cleaners collect two tonnes of plastic</a> <a href="/r2">Harbour festival returns next month</a></div>
</article><footer class="amp-footer"><a href="/">View the full site</a> · © West Coast Echo 2025</footer></body></html>"""


def liveblog(title: str, paras: list[str]) -> str:
    times = ["09:42", "09:15", "08:50", "08:20", "07:55"]
    entries = "\n".join(
        f'<div class="lb-entry"><span class="lb-time">{times[i]}</span><p>{escape(p)}</p><div class="lb-share"><a href="#">Share this update</a></div></div>'
        for i, p in enumerate(paras)
    )
    return f"""<!DOCTYPE html><html><head><title>LIVE: {escape(title)} - Vale Post</title>
<meta property="article:published_time" content="2025-02-18T07:55:00Z"><meta property="og:site_name" content="Vale Post"></head>
<body><div class="breaking-ticker">BREAKING · Road closures in Ashby · School closures list · Bin collections suspended</div>
<nav class="primary"><a href="/">Home</a> | <a href="/news">News</a> | <a href="/weather">Weather</a> | <a href="/traffic">Traffic and travel</a></nav>
<div class="live-page"><h1>{escape(title)}</h1>
<div class="live-status"><span class="live-badge">LIVE</span> Updated 2 minutes ago</div>
<div class="key-points" style="visibility:hidden"><h2>Key points</h2><ul><li>Warnings lifted</li><li>Help centre open</li></ul></div>
<div class="lb-feed">
{entries}
</div>
<button class="lb-load-more">Load more updates</button></div>
<div class="outbrain"><h3>Recommended for you</h3><a href="/s1">Doctors hate this one simple trick</a> <a href="/s2">Homeowners in Ashby are switching energy plans</a></div>
<footer>Vale Post is part of Valley Media Group. © 2025 All rights reserved.</footer></body></html>"""


def table(title: str, paras: list[str]) -> str:
    rows = "\n".join(
        f"<tr><td class='body'><font face='Arial' size='2'>{escape(p)}</font><br><br></td></tr>" for p in paras
    )
    return f"""<HTML><HEAD><TITLE>Tolland Times Online - {escape(title)}</TITLE>
<META NAME="keywords" CONTENT="tolland, village, hall"></HEAD>
<BODY BGCOLOR="#FFFFFF"><TABLE WIDTH="760" BORDER="0"><TR><TD COLSPAN="2"><IMG SRC="/img/banner.gif" ALT="Tolland Times Online"></TD></TR>
<TR><TD WIDTH="140" VALIGN="top" CLASS="leftnav"><A HREF="/">Front page</A><BR><A HREF="/news.html">Village news</A><BR><A HREF="/sport.html">Sport results</A><BR><A HREF="/letters.html">Letters to the editor</A><BR><A HREF="/classified.html">Classified ads</A><BR><A HREF="/archive.html">Archive 1998-2025</A></TD>
<TD VALIGN="top"><TABLE><TR><TD><B><FONT SIZE="4">{escape(title)}</FONT></B><BR><I>Friday 21 November 2025</I><BR><BR></TD></TR>
{rows}
<TR><TD><HR><A HREF="/news.html">&lt;&lt; Back to village news</A> | <A HREF="javascript:window.print()">Printer-friendly version</A> | <A HREF="mailto:editor@tolland.example">Email the editor</A></TD></TR></TABLE></TD></TR>
<TR><TD COLSPAN="2"><CENTER><FONT SIZE="1">You are visitor number 048213. Best viewed in 800x600. Copyright 2025 Tolland Times.</FONT></CENTER></TD></TR></TABLE></BODY></HTML>"""


def tabloid(title: str, paras: list[str]) -> str:
    chunks = []
    for i, p in enumerate(paras):
        chunks.append(f'<p class="article-text">{escape(p)}</p>')
        if i == 0:
            chunks.append(
                '<div class="in-article-puff"><a href="/p1">STARS OF THE SOIL: The gardeners growing monster veg in their back yards</a></div>'
            )
        if i == 2:
            chunks.append(
                '<div class="video-player"><span>WATCH: Giant pumpkin rolls down high street</span><button>Play video</button></div>'
            )
            chunks.append('<div class="mpu-ad">ADVERTISEMENT</div>')
    return f"""<!DOCTYPE html><html><head><title>{escape(title)} | Daily Clarion</title>
<meta property="og:title" content="{escape(title)}"><meta name="article:author" content="Gemma Rudd">
<meta property="article:published_time" content="2025-09-14T21:05:00+01:00"></head><body>
<div class="cookie-wall"><h2>Your privacy choices</h2><p>We and our 847 partners store and access information on your device for personalised ads and content.</p><button>Accept and continue</button><button>Reject all</button></div>
<header><a href="/" class="logo">Daily Clarion</a><ul class="nav"><li>News</li><li>Showbiz</li><li>Sport</li><li>Money</li><li>Travel</li><li>Puzzles</li></ul></header>
<div class="article-wrapper"><h1 class="headline">{escape(title)}</h1>
<ul class="article-summary"><li>Retired postman's record-breaking veg weighed in at 54 kilos</li><li>Judges say it is the biggest in over a decade</li></ul>
<div class="author">By <a href="/gemma-rudd">GEMMA RUDD</a> | PUBLISHED: 21:05, 14 September 2025 | UPDATED: 22:30, 14 September 2025</div>
<div class="social-share"><a>Share</a> <a>Comments (112)</a></div>
{chr(10).join(chunks)}
<div class="article-comments"><h3>Comments 112</h3><div class="comment">Well done Arthur, a true champion!</div><div class="comment">What does he do with it afterwards?</div></div>
</div>
<div class="sidebar"><h3>MOST READ NEWS</h3><ol><li>Lottery winner buys village pub</li><li>Seagull steals chips from mayor</li></ol><div class="taboola">Sponsored Links: Seniors born before 1960 are entitled to this benefit</div></div>
<footer>Published by Clarion Newspapers Ltd. Part of the Clarion Group. Contact us. Terms. Privacy. Do not sell my personal information.</footer></body></html>"""


def newsletter(title: str, paras: list[str]) -> str:
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{escape(title)} - The Hollin Bridge Bulletin</title>
<meta name="author" content="Sam Okafor"><meta property="og:title" content="{escape(title)}">
<meta property="article:published_time" content="2025-05-06T06:00:00.000Z"></head><body>
<div class="topbar"><a href="/">The Hollin Bridge Bulletin</a><button class="subscribe-btn">Subscribe</button><a href="/signin">Sign in</a></div>
<div class="post"><div class="post-header"><h1 class="post-title">{escape(title)}</h1>
<h3 class="subtitle">What the timetable change means for you</h3>
<div class="post-meta"><a href="/@sam">Sam Okafor</a> <span>May 06, 2025</span> <span>∙ Paid</span></div>
<div class="post-ufi"><button>42 likes</button><button>8 comments</button><button>Share</button></div></div>
<div class="available-content"><div class="body markup">
{_paragraphs(paras)}
<div class="subscription-widget"><p>The Hollin Bridge Bulletin is a reader-supported publication. To receive new posts and support my work, consider becoming a free or paid subscriber.</p><input type="email" placeholder="Type your email..."><button>Subscribe</button></div>
</div></div>
<div class="post-footer"><button>Like</button><button>Restack</button><a href="#">Share</a></div>
<div class="discussion"><h4>Discussion about this post</h4><div class="comment"><p>The 7.40 bus is the only way I can get home from my shift.</p></div></div>
</div><footer><p>© 2025 Sam Okafor · Privacy ∙ Terms ∙ Collection notice</p><p>Start writing. Get the app. This site is made by a newsletter platform.</p></footer></body></html>"""


def drupal(title: str, paras: list[str]) -> str:
    return f"""<!DOCTYPE html><html lang="en" dir="ltr"><head><meta charset="utf-8"><title>{escape(title)} | Westby Borough Council</title>
<meta name="Generator" content="Drupal 10 (https://www.drupal.org)"><meta name="dcterms.date" content="2025-10-20">
<link rel="canonical" href="https://westby.example/news/council-consults-new-cycle-lanes-harbour-road"></head>
<body class="path-node page-node-type-news"><a href="#main-content" class="visually-hidden focusable skip-link">Skip to main content</a>
<div class="region region-header"><div id="block-sitebranding"><a href="/" rel="home">Westby Borough Council</a></div>
<nav role="navigation" id="block-mainnavigation"><ul class="menu"><li class="menu-item"><a href="/bins">Bins and recycling</a></li><li class="menu-item"><a href="/council-tax">Council tax</a></li><li class="menu-item"><a href="/planning">Planning</a></li><li class="menu-item"><a href="/parking">Parking</a></li><li class="menu-item"><a href="/report">Report it</a></li></ul></nav>
<div class="block-search"><form><label class="visually-hidden">Search</label><input type="search" placeholder="Search this site"></form></div></div>
<div class="region region-breadcrumb"><nav class="breadcrumb"><ol><li><a href="/">Home</a></li><li><a href="/news">News</a></li></ol></nav></div>
<main role="main"><a id="main-content" tabindex="-1"></a><div class="region region-content">
<article role="article" class="node node--type-news node--view-mode-full">
<h1 class="page-title"><span class="field field--name-title">{escape(title)}</span></h1>
<div class="node__meta">Published on <span class="field--name-created">20 October 2025</span></div>
<div class="node__content"><div class="clearfix text-formatted field field--name-body field__item">
{_paragraphs(paras)}
</div></div></article>
<div class="feedback-block"><h2>Was this page helpful?</h2><button>Yes</button><button>No</button><p>Report a problem with this page</p></div>
</div></main>
<footer role="contentinfo"><div class="region region-footer"><ul><li><a href="/accessibility">Accessibility statement</a></li><li><a href="/privacy">Privacy and cookies</a></li><li><a href="/contact">Contact the council</a></li><li><a href="/jobs">Jobs</a></li></ul><p>Westby Borough Council, Town Hall, Market Square, Westby.</p></div></footer>
</body></html>"""


def magazine(title: str, paras: list[str]) -> str:
    first, *rest = paras
    return f"""<!DOCTYPE html><html><head><title>{escape(title)} — Riverlands Magazine</title>
<meta property="og:site_name" content="Riverlands Magazine"><meta property="og:title" content="{escape(title)}">
<script type="application/ld+json">[{{"@type":"BreadcrumbList","itemListElement":[]}},{{"@type":"Article","headline":"{escape(title)}","datePublished":"2025-04-12","author":[{{"@type":"Person","name":"Owen Pryce"}}]}}]</script></head>
<body><div class="promo-bar">Spring issue out now — subscribe and save 30%</div>
<header class="mag-header"><a href="/" class="mag-logo">Riverlands</a><nav><a href="/people">People</a> <a href="/places">Places</a> <a href="/food">Food</a> <a href="/crafts">Crafts</a> <a href="/shop">Shop</a></nav></header>
<div class="feature"><div class="feature-hero"><span class="kicker">Crafts</span><h1>{escape(title)}</h1><p class="dek">A visit to a ropewalk that has barely changed in a century</p><p class="credit">Words by Owen Pryce · Photographs by Ana Ruiz</p></div>
<div class="feature-body"><p class="dropcap">{escape(first)}</p>
<blockquote class="pullquote">“Three strands become one rope”</blockquote>
{_paragraphs(rest)}
<div class="author-bio"><img src="/owen.jpg" alt=""><p>Owen Pryce is a contributing editor who writes about rural trades and the people who keep them going.</p></div>
</div>
<div class="tags">Filed under: <a href="/t/heritage">heritage</a> <a href="/t/rivers">rivers</a></div>
<section class="more-stories"><h2>More stories</h2><article class="teaser"><h3><a href="/m1">The clockmaker of Elmsby</a></h3><p>Inside a workshop full of ticking.</p></article><article class="teaser"><h3><a href="/m2">Cider apples and the art of waiting</a></h3><p>An orchard that takes its time.</p></article></section>
<section class="comments"><h2>Join the conversation</h2><div class="comment"><p>My grandfather bought rope from the Marsh family for his barge.</p></div><form><textarea placeholder="Add a comment"></textarea><button>Post</button></form></section>
</div><footer class="mag-footer"><p>Riverlands Magazine is published quarterly. © 2025 Riverlands Publishing. Subscriptions · Advertise · Contact · Privacy</p></footer></body></html>"""


def ghost(title: str, paras: list[str]) -> str:
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>
<meta name="generator" content="Ghost 5.80"><meta property="og:site_name" content="The Rail Letter">
<meta property="article:published_time" content="2025-01-28T08:00:00.000Z"><meta name="twitter:data1" content="Ruth Adebayo">
<link rel="canonical" href="https://railletter.example/night-trains-return/"></head>
<body class="post-template"><div class="viewport"><header id="gh-head" class="gh-head"><div class="gh-head-inner">
<a class="gh-head-logo" href="/">The Rail Letter</a><nav class="gh-head-menu"><ul class="nav"><li><a href="/">Home</a></li><li><a href="/about/">About</a></li><li><a href="/archive/">Archive</a></li></ul></nav>
<div class="gh-head-actions"><a href="#/portal/signin">Sign in</a><a class="gh-head-button" href="#/portal/signup">Subscribe</a></div></div></header>
<main id="site-main" class="site-main"><article class="article post">
<header class="article-header gh-canvas"><section class="article-tag"><a href="/tag/routes/">Routes</a></section>
<h1 class="article-title">{escape(title)}</h1>
<div class="article-byline"><div class="article-byline-meta"><h4 class="author-name"><a href="/author/ruth/">Ruth Adebayo</a></h4>
<div class="byline-meta-content"><time class="byline-meta-date" datetime="2025-01-28">Jan 28, 2025</time><span class="byline-reading-time">3 min read</span></div></div></div></header>
<section class="gh-content gh-canvas">
{_paragraphs(paras)}
<div class="kg-card kg-cta-card"><p>Enjoying The Rail Letter? Forward it to a friend who loves trains.</p></div>
</section>
<section class="article-comments gh-canvas"><div id="comments-root">Members can comment on this post. Become a member to join the discussion.</div></section>
</article></main>
<footer class="site-footer outer"><div class="inner"><section class="copyright"><a href="/">The Rail Letter</a> © 2025</section><div class="gh-powered-by">Powered by Ghost</div></div></footer>
</div></body></html>"""


def tvstation(title: str, paras: list[str]) -> str:
    body = "".join(f'<div class="RichTextBody" data-block="p{i}"><p>{escape(p)}</p></div>' for i, p in enumerate(paras))
    return f"""<!DOCTYPE html><html><head><title>{escape(title)} | Channel 6 West</title>
<meta property="og:title" content="{escape(title)}"><meta property="og:site_name" content="Channel 6 West">
<meta name="parsely-pub-date" content="2025-07-09T16:22:00Z"><meta name="parsely-author" content="Dylan Rees">
<script id="__NEXT_DATA__" type="application/json">{{"props":{{"pageProps":{{"id":991}}}}}}</script></head>
<body><div id="__next"><div class="TrendingBar"><span>Trending:</span><a href="/t1">Heatwave</a><a href="/t2">Election</a><a href="/t3">Traffic</a><a href="/t4">Football</a></div>
<div class="Header"><a href="/" aria-label="Channel 6 West home">Channel 6 West</a><div class="Header-watch">Watch live</div></div>
<div class="Page"><div class="Page-main"><div class="ArticlePage-headline"><h1>{escape(title)}</h1></div>
<div class="ArticlePage-byline">By Dylan Rees · Published July 9, 2025 at 5:22 PM</div>
<div class="VideoEmbed"><div class="VideoEmbed-title">Watch: nurses react to the decision</div><div class="VideoEmbed-duration">2:14</div></div>
<div class="ArticlePage-articleBody">{body}</div>
<div class="ArticlePage-tags"><span>Copyright 2025 Channel 6 West. All rights reserved. This material may not be published, broadcast, rewritten or redistributed.</span></div></div>
<div class="Page-aside"><div class="MostWatched"><h3>Most watched</h3><div class="PromoVideo">Sunset over the bay in 60 seconds</div><div class="PromoVideo">Lifeguards practise a rescue</div></div>
<div class="WeatherWidget"><span>Cardiff</span><span>21°</span><span>Sunny intervals</span></div></div></div>
<div class="Footer"><div>Download the Channel 6 West app</div><div>Contact the newsroom · Public file · Careers · Closed captioning</div></div></div></body></html>"""


def blogger(title: str, paras: list[str]) -> str:
    return f"""<!DOCTYPE html><html><head><title>Parish Wildlife Diary: {escape(title)}</title>
<meta content="blogger" name="generator"></head><body>
<div class="navbar section"><div class="widget Navbar">Blog · Create blog · Sign in</div></div>
<div class="header-outer"><h1 class="title">Parish Wildlife Diary</h1><p class="description">Notes from our village's birds, bats and beetles</p></div>
<div class="main-inner"><div class="date-outer"><h2 class="date-header"><span>Sunday, 24 August 2025</span></h2>
<div class="post-outer"><div class="post hentry"><h3 class="post-title entry-title">{escape(title)}</h3>
<div class="post-header"></div><div class="post-body entry-content">
{"<br><br>".join(escape(p) for p in paras)}
</div>
<div class="post-footer"><div class="post-footer-line">Posted by <span class="fn">Rhian Pugh</span> at <a class="timestamp-link" href="#">18:05</a> · <a href="#">2 comments</a> · Labels: <a href="#">birds</a>, <a href="#">church</a></div>
<div class="post-share-buttons"><a href="#">Email This</a><a href="#">BlogThis!</a><a href="#">Share to X</a><a href="#">Share to Facebook</a></div></div></div>
<div class="comments"><h4>2 comments:</h4><dl><dt>Anonymous said...</dt><dd>Lovely to see them screaming round the tower again.</dd><dt>Mary said...</dt><dd>We had four pairs under our eaves!</dd></dl></div></div></div>
<div class="blog-pager"><a href="#">Newer Post</a> <a href="/">Home</a> <a href="#">Older Post</a></div></div>
<div class="sidebar"><div class="widget BlogArchive"><h2>Blog Archive</h2><ul><li>2025 (14)</li><li>2024 (22)</li></ul></div>
<div class="widget Profile"><h2>About Me</h2><p>Retired teacher and swift counter.</p></div></div>
<div class="footer-outer">Simple theme. Powered by Blogger.</div></body></html>"""


LAYOUTS = {
    "wordpress": wordpress,
    "newspaper": newspaper,
    "wire": wire,
    "amp": amp,
    "liveblog": liveblog,
    "table": table,
    "tabloid": tabloid,
    "newsletter": newsletter,
    "drupal": drupal,
    "magazine": magazine,
    "ghost": ghost,
    "tvstation": tvstation,
    "blogger": blogger,
}


def main() -> None:
    for name, (title, paras) in STORIES.items():
        (HERE / f"{name}.html").write_text(LAYOUTS[name](title, paras) + "\n", encoding="utf-8")
        (HERE / f"{name}.article.txt").write_text("\n".join([title, *paras]) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
