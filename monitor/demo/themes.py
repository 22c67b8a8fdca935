"""The made-up news themes of the demo site: paragraph templates, casts and comment pools."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Theme:
    """One running story: who speaks in it, what its paragraphs and comments can say.

    Paragraph templates take ``{who}`` (a described person), ``{name}`` (that person's surname),
    ``{n}`` (2-40), ``{m}`` (2-9), ``{pct}`` (11-89), ``{day}`` (a weekday) and ``{outlet}``.
    """

    key: str
    section: str
    tags: tuple[str, ...]
    cast: tuple[tuple[str, str], ...]
    paragraphs: tuple[str, ...]
    comments: tuple[str, ...]
    replies: tuple[str, ...]


BRIDGE = Theme(
    key="bridge",
    section="city",
    tags=("Aldren Span", "transport"),
    cast=(
        ("city engineer Yusuf Adeyemi", "Adeyemi"),
        ("harbour master Colm Brady", "Brady"),
        ("Councillor Hattie Vance", "Vance"),
        ("ferry operator Benedikt Roth", "Roth"),
    ),
    paragraphs=(
        "The Aldren Span, the steel bridge that carries the coast road across Port Aldren harbour, "
        "was closed last summer after inspectors found corrosion in two of its main cables. Its "
        "reopening has been awaited by commuters on both sides of the water for months.",
        "{who} said crews had replaced {n} hangers and resurfaced the whole deck, and that the work "
        "had been finished ahead of the spring shipping season. \"We were never going to open it "
        "until every weld had been checked twice,\" {name} said.",
        "Traffic counters recorded {n},000 crossings on the first {day}, roughly {pct} percent of the "
        "volume before the closure. Buses returned to their old routes, and the temporary ferry that "
        "had shuttled commuters between the quays will run until the end of the month.",
        "Cyclists were less pleased. The new layout narrows the shared path on the seaward side, and "
        "a petition asking the city to restore the old width had gathered {n}00 signatures by {day} "
        "evening.",
        "The repairs cost more than expected. According to figures released by the council, the final "
        "bill came to {n} million euros, about {pct} percent above the original estimate, with most "
        "of the overrun blamed on the price of steel.",
        "{who} told {outlet} that the bridge would now be inspected every six months instead of every "
        "two years. \"A bridge like this one is a living thing,\" {name} said. \"It moves with the "
        "wind, the tide and the traffic, and we have to listen to it.\"",
        "Harbour businesses reported a quick recovery. Shops on the north quay, which lost passing "
        "trade while the span was closed, said takings on {day} were the best since last spring, and "
        "several cafés extended their opening hours.",
        "The question of tolls hangs over the reopened bridge. The city's finance office has proposed "
        "a charge for heavy lorries to pay for future maintenance, an idea that {who} described as "
        "sensible but badly explained.",
        "Older residents remember the last great closure in 1987, when a ship struck one of the piers "
        "during a storm. Some of them gathered at the south end of the bridge on {day} morning to "
        "watch the first cars cross, many with flasks of coffee and folding chairs.",
    ),
    comments=(
        "Eight months for a few cables. In 1962 they built the whole thing in less than two years.",
        "Crossed it this morning on the bus and it felt like the city had its heart back.",
        "The cycle path is now far too narrow. Someone is going to get hurt at the south ramp.",
        "Good to see the inspections tightened. Better safe than sorry with a bridge that old.",
        "Who pays for the overrun? The contractor or us, as usual?",
        "The temporary ferry was honestly the best part of my commute all winter.",
        "Lorry tolls make sense. Cars should stay free, though.",
        "Traffic on the ring road was a nightmare the whole time it was shut.",
    ),
    replies=(
        "The ferry should stay. Half the quay would use it every day.",
        "The ring road is still a nightmare, bridge or no bridge.",
        "Steel prices doubled, that is where the money went.",
    ),
)

WIND = Theme(
    key="wind",
    section="environment",
    tags=("Greyshoal", "energy"),
    cast=(
        ("project director Annika Solberg", "Solberg"),
        ("fisheries spokesman Rory Doyle", "Doyle"),
        ("marine biologist Dr Femi Adebayo", "Adebayo"),
        ("Zürich-based fund manager Lukas Meier", "Meier"),
    ),
    paragraphs=(
        "The Greyshoal offshore wind farm, planned for the shallow banks {n} kilometres off Port "
        "Aldren, would be the largest renewable energy project on this stretch of coast. Its "
        "developers say the turbines could power more than {m}00,000 homes once the final phase is "
        "complete.",
        "{who} said the foundations for the first {n} turbines would be installed over the summer, "
        "weather permitting. \"The sea decides our timetable,\" {name} said. \"We plan for the calm "
        "days and we wait out the rough ones.\"",
        "Local fishermen have been wary of the project from the start. They argue that the cable "
        "route crosses some of the richest crab grounds in the bay, and that the compensation offered "
        "so far covers only a fraction of what a bad season costs.",
        "The export cable will come ashore near the old customs house, where a substation is due to "
        "be built. Residents there were told on {day} that the trenching would take about {n} weeks "
        "and that the beach path would be closed during the day.",
        "Investors are watching closely. A fund based in Zürich has taken a stake in the project, "
        "betting that long-term power purchase agreements will make offshore wind one of the safer "
        "investments of the decade.",
        "Environmental groups broadly support the wind farm but want stricter monitoring of seabirds. "
        "{who} said radar surveys would run for at least three years and that turbines could be "
        "paused on peak migration nights.",
        "Critics call the timetable naïve. The nearest port with a berth deep enough for the "
        "installation vessels is a day's sailing away, and any delay there would ripple through the "
        "whole schedule, {who} warned.",
        "Support among residents is higher than the loud public meetings suggest. A survey published "
        "on {day} found that {pct} percent of people in Port Aldren back the project, while most of "
        "the rest said they needed to know more about the effect on electricity bills.",
    ),
    comments=(
        "Finally some real investment in this town instead of another car park.",
        "The crab grounds matter. Nobody in an office in the capital ever asks the fishermen.",
        "I would rather see turbines on the horizon than a gas plant on the headland.",
        "What happens to electricity bills? That is the only question most of us care about.",
        "The customs house beach is the only quiet one left. Sad to lose it for a year.",
        "Radar surveys for three years sounds like a lot of consultants being paid.",
    ),
    replies=(
        "Bills will go down eventually, but not in the first five years.",
        "The fishermen were offered a deal and turned it down, to be fair.",
        "The beach path reopens in the autumn, it said so at the meeting.",
    ),
)

ELECTION = Theme(
    key="election",
    section="politics",
    tags=("mayoral election", "Port Aldren council"),
    cast=(
        ("Mara Okafor of the Harbour Alliance", "Okafor"),
        ("Tomasz Lindqvist of the Civic List", "Lindqvist"),
        ("Renée Dubois of the Greens", "Dubois"),
        ("political scientist Dr Agnes Holm", "Holm"),
    ),
    paragraphs=(
        "Port Aldren elects a new mayor this month, and the race has turned into a three-way contest "
        "between Mara Okafor of the Harbour Alliance, Tomasz Lindqvist of the Civic List and Renée "
        "Dubois of the Greens. The outgoing mayor is not standing again after {n} years in office.",
        "The Aldren Span has dominated the campaign. Okafor wants tolls for heavy lorries to pay for "
        "maintenance, Lindqvist says the city should borrow instead, and Dubois argues that better "
        "trains would take enough traffic off the bridge to make the question smaller.",
        "{who} told {outlet} that the election would be decided in the suburbs, where turnout has "
        "been low for years. \"Whoever persuades people in the new estates that the town hall cares "
        "about them will win,\" {name} said.",
        "At a crowded debate on {day} night, the candidates clashed over housing, the flood defences "
        "along the Maelle and the future of the harbour. The audience of about {n}0 people applauded "
        "loudest when {name} promised to publish every contract the city signs.",
        "Turnout in the last municipal election was just {pct} percent. Election officials have "
        "opened {n} extra polling stations this year and extended postal voting, hoping to reach "
        "younger voters and shift workers.",
        "Campaign finance has become an issue of its own. Filings released on {day} show that {who} "
        "raised the most money, much of it in small donations, while rivals relied on a handful of "
        "large donors from the construction industry.",
        "Polls suggest a close finish. The latest survey put the two front-runners within {m} points "
        "of each other, with a large share of voters still undecided and a run-off likely if nobody "
        "wins half of the vote.",
        "Counting will take place at the old exhibition hall on the harbour front, where volunteers "
        "sort the ballot papers by hand. Officials expect a result shortly after midnight, unless the "
        "margin is narrow enough to trigger a recount.",
    ),
    comments=(
        "Okafor is the only one with a costed plan for the bridge. Easy choice for me.",
        "Lindqvist wants to borrow for everything. Our children will be paying for it.",
        "Dubois is right about the trains, but nobody wants to hear it.",
        "I have lived here thirty years and never seen a candidate knock on our door.",
        "Publishing every contract would be a good start. Promises are cheap, though.",
        "Turnout will be low again. People have given up on the town hall.",
        "The debate was a shouting match. I learned nothing about housing.",
    ),
    replies=(
        "Borrowing at these rates is not the disaster people think.",
        "Someone knocked on ours last week, Greens I think.",
        "Low turnout is exactly why you should vote.",
    ),
)

CAFE = Theme(
    key="cafe",
    section="business",
    tags=("Café Lumière", "retail"),
    cast=(
        ("founder Élodie Marchand", "Marchand"),
        ("union organiser Sami Haddad", "Haddad"),
        ("retail analyst Grace Whitfield", "Whitfield"),
        ("head barista Mateo Ruiz", "Ruiz"),
    ),
    paragraphs=(
        "Café Lumière started as a single coffee bar in a converted boathouse on the harbour. Eleven "
        "years later the chain has branches across the region and plans to open {m} more before the "
        "end of the year.",
        "{who} said the company's growth came from doing a few things well: good coffee, bread baked "
        "on site every morning and staff who stay long enough to learn the regulars' names. \"We are "
        "not trying to be everywhere,\" {name} said.",
        "Not everyone is convinced. {who} called the expansion plan naïve, pointing out that rents in "
        "the new locations are {pct} percent higher than in the harbour district and that the chain "
        "has never run a branch away from a busy waterfront.",
        "Prices have gone up twice in a year. A flat white now costs {n} percent more than it did last "
        "spring, which the company blames on the price of beans, milk and energy.",
        "Staff at several branches have been talking about organising. {who} said baristas wanted "
        "predictable rotas and a fair share of tips, and that the conversations had been friendly so "
        "far. A vote is expected within {m} weeks.",
        "The chain buys its beans from a small roastery in Zürich and has said it will keep doing so, "
        "even though local suppliers are cheaper. Customers on {day} seemed happy with that choice; "
        "the queue at the waterfront café stretched out of the door by eight o'clock.",
        "Neighbouring businesses have mixed feelings. A bakery owner on the same street said Café "
        "Lumière brought more people to the area, but that {pct} percent of her morning customers had "
        "moved to the chain within a month of its opening.",
        "The company says every branch will switch to reusable cups by the summer, and that it will "
        "offer a discount of {n} cents to customers who bring their own.",
    ),
    comments=(
        "Best coffee in town, but the prices are getting silly.",
        "Good for the baristas. They work harder than anyone in that building.",
        "I miss the old boathouse days when it was just one counter and a dog asleep by the door.",
        "Another chain pushing out independent shops. No thanks.",
        "The bread alone is worth the queue.",
        "Reusable cups are a good idea, if they actually wash them properly.",
    ),
    replies=(
        "The independents closed long before Café Lumière arrived.",
        "The dog is still there at the harbour branch, his name is Biscuit.",
        "Prices are up everywhere, not just there.",
    ),
)

FLOOD = Theme(
    key="flood",
    section="city",
    tags=("River Maelle", "flooding"),
    cast=(
        ("river warden Maeve Gallagher", "Gallagher"),
        ("fire chief Anton Petrov", "Petrov"),
        ("hydrologist Dr Ruth Okonjo", "Okonjo"),
        ("Lower Quay resident Dmitri Vasquez", "Vasquez"),
    ),
    paragraphs=(
        "The River Maelle burst its banks in the early hours after {m} days of heavy rain, sending "
        "water into the streets of Lower Quay, the low-lying district between the river mouth and the "
        "harbour. By dawn the water was knee-deep on several streets.",
        "{who} said crews had filled more than {n},000 sandbags overnight and that pumps were working "
        "in the worst-hit streets. \"The river came up faster than any model we have,\" {name} said.",
        "Around {n}0 households were evacuated to a school gym on higher ground, where volunteers "
        "handed out blankets and hot soup. Most residents were expected to return home within days, "
        "once the power had been checked.",
        "{who} said the flood defences along the Maelle had been designed for a storm expected once in "
        "a century, and that storms of that size now arrive far more often. The city's review of the "
        "defences is due later this year.",
        "Insurers estimate that {pct} percent of homes in Lower Quay have flood cover, a figure that "
        "has been falling as premiums rise. Many small businesses on the riverside said they had been "
        "refused cover altogether since the last flood.",
        "The river peaked on {day} afternoon at {n} centimetres above the warning level, according to "
        "gauges upstream at the old mill. Forecasters expect the water to fall slowly over the coming "
        "days if the rain eases as predicted.",
        "Residents described a frightening night. {who} said the water came under the door in minutes. "
        "\"We carried what we could upstairs and waited for the boats,\" {name} said. \"You never think "
        "it will be your street.\"",
        "The cleanup will take weeks. Council workers began clearing mud from the riverside path on "
        "{day}, and the city has opened a fund to help families replace damaged furniture and "
        "appliances.",
    ),
    comments=(
        "Every few years the same streets, the same promises. Build the wall properly this time.",
        "Huge thanks to the fire crews, they were out all night on our road.",
        "Our insurer refused to renew last year. Now we know why.",
        "Is there anywhere to drop off blankets? Happy to help.",
        "The old mill gauge has been broken for years, I would not trust those numbers.",
        "They keep building new flats on the flood plain and then act surprised.",
    ),
    replies=(
        "The school on Hill Road is taking donations until Friday.",
        "The wall was designed properly, the storms just got bigger.",
        "Same here, our premium tripled.",
    ),
)

KYIV = Theme(
    key="kyiv",
    section="world",
    tags=("Kyiv", "air defence", "Ukraine"),
    cast=(
        ("city administration spokesperson Olena Shevchuk", "Shevchuk"),
        ("air force spokesman Col. Yuriy Danylenko", "Danylenko"),
        ("Kyiv resident Oksana Melnyk", "Melnyk"),
        ("volunteer coordinator Taras Bondar", "Bondar"),
    ),
    paragraphs=(
        "Air defence units over Kyiv worked through the night as waves of drones approached the "
        "capital from several directions. Explosions from interceptions were heard across the city, "
        "and residents spent hours in shelters and metro stations.",
        "{who} said {n} of the drones launched overnight had been shot down or jammed before they "
        "reached their targets. Debris fell in at least {m} districts, damaging roofs and cars but "
        "causing no deaths, according to preliminary reports.",
        "Mobile fire groups, small teams with machine guns mounted on pickup trucks, have become a "
        "familiar part of the city's air defence. They move between positions on the outskirts and "
        "are credited with bringing down many of the slower drones.",
        "{who} described a long night underground. \"The children sleep, the adults watch the news on "
        "their phones and wait for the all-clear,\" {name} said. By morning, commuters were back on "
        "the platforms as trains resumed.",
        "Energy workers restored power to most homes within hours after a strike damaged a substation "
        "on the left bank. The city administration said {pct} percent of affected households had "
        "electricity again by the evening of {day}.",
        "Volunteers in partner cities abroad have been raising money for generators, warm clothing "
        "and medical kits. {who} said the most useful donations were practical ones, and that a "
        "shipment of {n} generators had arrived in Kyiv the week before.",
        "Western governments have promised more air defence systems, but deliveries have been slower "
        "than Kyiv hoped. Officials say every new battery makes a visible difference to how much of "
        "the city goes dark after a large attack.",
        "Life in the capital goes on between the alarms. Cafés reopened within an hour of the "
        "all-clear on {day}, and the city's theatres kept their evening performances, moving them to "
        "earlier start times.",
    ),
    comments=(
        "Respect to the air defence crews. Another night without sleep for them.",
        "My cousin in Kyiv says the mobile fire groups are the real heroes.",
        "Our church group sent a van of warm clothes last month. Happy to help again.",
        "Why are the promised systems taking so long? Every week matters.",
        "Incredible that the theatres stay open. That is what resilience looks like.",
    ),
    replies=(
        "Which group? I would like to donate too.",
        "Deliveries depend on production, there is simply not enough.",
        "Stay safe to your cousin and the whole family.",
    ),
)

FOOTBALL = Theme(
    key="football",
    section="sport",
    tags=("football", "Aldren Rovers", "Valley United"),
    cast=(
        ("Rovers manager Declan Shaw", "Shaw"),
        ("Valley United captain Bruno Salgado", "Salgado"),
        ("striker Jonas Feld", "Feld"),
        ("supporters' club chair Niamh Keogh", "Keogh"),
    ),
    paragraphs=(
        "Aldren Rovers and Valley United met on {day} in the harbour derby, the oldest rivalry on the "
        "coast, in front of a sold-out crowd of {n},000 at the Quayside Ground. Heavy rain turned the "
        "pitch into a swamp by half-time.",
        "Jonas Feld scored the decisive goal {n} minutes from the end, rising above two defenders to "
        "meet a corner at the near post. It was the striker's eleventh goal of the season.",
        "{who} praised his side's patience. \"In conditions like that you cannot play pretty "
        "football,\" {name} said. \"You have to win the second balls and wait for your chance.\"",
        "Valley United had the better of the first half and hit the crossbar twice, but their "
        "finishing let them down again. They have now scored only {m} goals in their last eight away "
        "matches.",
        "{who} said the fans had been magnificent despite the weather. Around {pct} percent of the "
        "away section stayed until the final whistle, singing through the rain.",
        "The result leaves Rovers {m} points clear at the top of the table with {n} games to play, "
        "while Valley United slip into the bottom half after a third defeat in a row.",
        "Police said the day passed peacefully, with {m} arrests for minor offences, mostly outside "
        "the ground before kick-off. Supporters' groups on both sides had asked fans to travel by "
        "train because of the bridge works.",
        "Attention now turns to the cup, where Rovers face a tricky trip inland next {day}. {who} said "
        "the squad would rest players with minor injuries, though Feld is expected to start.",
    ),
    comments=(
        "What a header from Feld. Worth getting soaked for.",
        "United were the better side for an hour. Football is cruel.",
        "The pitch was a disgrace. The league should have postponed it.",
        "Shaw gets too little credit. Top of the league with that budget.",
        "Salgado was immense at the back until the last ten minutes.",
        "Best derby atmosphere in years despite the rain.",
    ),
    replies=(
        "Better side does not mean much if you cannot finish.",
        "Postponed? It was a bit of rain, not a hurricane.",
        "Agreed, Shaw deserves a new contract.",
    ),
)

THEMES: dict[str, Theme] = {t.key: t for t in (BRIDGE, WIND, ELECTION, CAFE, FLOOD, KYIV, FOOTBALL)}

# Replies that fit any thread; mixed with the theme's own replies.
GENERIC_REPLIES = (
    "I agree with every word of this.",
    "That is not quite right, the council published the figures last week.",
    "Do you have a source for that?",
    "Fair point, though I think it is more complicated than that.",
    "My neighbour said exactly the same thing this morning.",
    "Let's see what happens next month before we judge.",
    "This is the most sensible comment in the whole thread.",
)

COMMENTERS = (
    "Jane Holloway", "quayside_pete", "Marta K.", "Olu Bankole", "Zoë Lindgren", "harbourwatcher",
    "Brendan O'Neill", "Chidi", "Aoife", "Kasia Nowak", "Frank Delaney", "sea_shanty_sue",
    "Tomás Ibarra", "Nadia", "old_salt_62", "Wen Li", "Håkon B.", "Priya S.",
)
