"""The words polarity reads: negation cues, hedges, and words that point one way on a scale.

Written by hand for scientific abstracts (machine learning and biomedicine), from the wrong
verdicts of the tune part of evals/data/verdicts and of SciFact train; every word is lower case.

A *polar* word has a concept and a value: "increases" is (amount, +1), "reduces" (amount, -1),
"outperforms" (rank, +1), "matches" (rank, 0), "falls behind" (rank, -1). Two polar words of
one concept said of the same thing disagree when their values have opposite signs, or one is 0
and the other -1 ("closely matches" / "falls far behind"). A *contrast* word names one value of
a set whose values exclude each other ("linear" / "quadratic", "local" / "global").
"""

from collections.abc import Iterable


def words(text: str) -> frozenset[str]:
    """The words of a space-separated list."""
    return frozenset(text.split())


_POLAR = """
amount +1: increase increases increased increasing rise rises rose risen rising raise raises
  raised raising grow grows grew grown growing growth more higher highest greater larger largest
  bigger expand expands expanded expanding boost boosts boosted elevate elevates elevated
  elevation gain gains gained amplify amplifies amplified inflate inflates inflated maximize
  maximizes maximized abundant huge massive large big long longer upregulate upregulates
  upregulated upregulation widen widens widened broaden broadens broadened accumulate
  accumulates accumulated enlarge enlarged high heavyweight widespread extensive extensively
  major
amount -1: decrease decreases decreased decreasing reduce reduces reduced reducing reduction
  reductions lower lowers lowered lowering less fewer fewest smaller smallest lowest decline
  declines declined declining drop drops dropped dropping fall falls fell fallen falling cut cuts
  cutting shrink shrinks shrank shrunk halve halves halved diminish diminishes diminished
  minimize minimizes minimized save saves saved saving savings slash slashes slashed scarce small
  tiny short shorter narrow narrows narrowed narrowing downregulate downregulates downregulated
  downregulation attenuate attenuates attenuated suppress suppresses suppressed inhibit inhibits
  inhibited inhibition deplete depleted depletion compact lightweight minimal negligible
  marginal slight low limited minor
rank +1: improve improves improved improving improvement improvements better best enhance
  enhances enhanced enhancing enhancement benefit benefits benefited beneficial help helps helped
  strengthen strengthens strengthened advance advances advanced good great superior outperform
  outperforms outperformed outperforming surpass surpasses surpassed surpassing exceed exceeds
  exceeded beat beats excel excels excellent favorable favourable promising success successful
  succeed succeeds succeeded strong stronger robust well remarkable effective effectively
  superiority
  efficacious protective protect protects protected useful powerful strength strengths optimal
rank 0: match matches matched matching comparable similar similarly par competitive rival rivals
  equivalent identical closely
rank -1: worsen worsens worsened worse worst hurt hurts harm harms harmed harmful degrade
  degrades degraded degrading degradation impair impairs impaired impairment damage damages
  damaged weaken weakens weakened weak weaker poor poorly inferior underperform underperforms
  underperformed underperforming lag lags lagged lagging trail trails trailed behind
  deteriorate deteriorates deteriorated hinder hinders hindered hamper hampers hampered bad
  disappointing fragile brittle sacrifice sacrifices sacrificing compromise compromises risk
  inferiority
  detrimental adverse useless weakness weaknesses suboptimal sub-optimal unpromising
speed +1: fast faster fastest quick quicker quickly rapid rapidly accelerate accelerates
  accelerated accelerating acceleration speedup speedups speeding speeds sped
speed -1: slow slower slowest slows slowed slowing slowly decelerate delay delays delayed sluggish
ease +1: easy easier easily simple simpler simplest straightforward elegant
ease -1: hard harder difficult difficulty challenging complex complicated cumbersome
cost +1: expensive costly heavy intensive hungry prohibitive
cost -1: cheap cheaper inexpensive affordable light efficient efficiently
frequency +1: always often frequently commonly common widely routinely usually typically
  increasingly popular prevalent mainstream dominant dominating prominent
frequency -1: rarely seldom occasionally uncommon niche
enable +1: enable enables enabled allow allows allowed allowing permit permits possible feasible
  facilitate facilitates facilitated promote promotes promoted induce induces induced trigger
  triggers triggered cause causes caused activate activates activated stimulate stimulates
  stimulated
enable -1: prevent prevents prevented blocked prohibit prohibits preclude precludes
  impede impedes impeded abolish abolished
need +1: require requires required requiring need needs needed necessary necessitate
  necessitates essential crucial vital important indispensable depend depends dependent rely
  relies
need -1: optional dispensable irrelevant
association +1: positively positive
association -1: negatively negative inversely
attend +1: consider considers considered account accounts exploit exploits exploited focus
  focuses focused focusing
attend -1: ignore ignores ignored ignoring neglect neglects neglected neglecting overlook
  overlooks overlooked disregard disregards
known +1: known understood clear established well-explored well-studied well-understood
known -1: unknown unclear mystery unexplored underexplored under-explored less-explored
  understudied under-studied
evidence +1: confirm confirms confirmed verify verifies verified validate validates validated
  substantiate substantiates corroborate corroborates support supports supported
evidence -1: refute refutes refuted disprove disproves disproved contradict contradicts
  contradicted reject rejects rejected
retain +1: retain retains retained maintain maintains maintained preserve preserves preserved
  keep keeps kept sustain sustains sustained
retain -1: lose loses lost loss losses discard discards discarded
change +1: affect affects affected change changes changed alter alters altered influence
  influences influenced vary varies varied differ differs differed impact impacts shift shifts
  shifted modify modifies modified
"""
_CONTRASTS = """
complexity: linear quadratic cubic exponential logarithmic constant polynomial subquadratic
  sub-quadratic
scope: local global
dynamics: static fixed predetermined dynamic dynamically adaptive adaptively
density: dense sparse
supervision: supervised unsupervised self-supervised
place: online offline
explicitness: explicit explicitly implicit implicitly
direction: bidirectional unidirectional one-directional
structure: centralized decentralized distributed
"""

NEGATION_CUES = words(
    "not no never none nothing nobody neither nor cannot without unable lack lacks lacking "
    "lacked absence absent fail fails failed failing failures little rarely seldom hardly "
    "barely scarcely zero deprived devoid missing"
)
"""Words that deny what follows them (n't is one too). "little" after "a", "not only",
"not just", "no doubt" and the like are not (``polarity``)."""

NOT_NEGATING_AFTER = {
    "not": words("only just merely necessarily least surprisingly"),
    "no": words("doubt less more matter"),
    "nothing": words("but"),
}
"""A cue followed by one of these words is not a negation ("not only", "no less than")."""

TWO_WORD_CUES = frozenset(
    {("rather", "than"), ("instead", "of"), ("free", "of"), ("failure", "to"), ("failure", "on")}
)

SMALLER_IS_BETTER = words(
    "latency cost costs error errors loss losses overhead perplexity complexity runtime time "
    "memory footprint size energy consumption redundancy variance noise risk"
)
"""Things an amount word ranks in reverse: less latency is better latency."""

SCANT = words("little few")
"""Negation cues that say how much: "little attention" is shared with "less attention"."""

SCANT_ALIKE = words("little few less fewer limited scarce insufficient")
"""What agrees with a scant cue when it stands just before the same word."""

SLIGHT = words("negligible minimal marginal slight tiny")
"""Amount words that say a change is next to none: they agree with a denied change ("does not
affect accuracy" / "a negligible drop in accuracy")."""

HEDGES = words(
    "may might could possibly potentially perhaps likely unlikely suggest suggests "
    "suggested suggesting appear appears appeared seem seems seemed presumably plausibly "
    "arguably necessarily"
)

SCOPE_ENDS = words(
    "but whereas while although though however yet which who whom whose where whereby "
    "because since thus thereby hence so therefore instead except unless if when"
)
"""Words that end a negation's scope ("not X, but Y"; "without X, which Y")."""

VERB_AFTER_AND = words(
    "is are was were be been has have had does do did can could may might will would should "
    "must also then thus therefore instead still further so it they we this these there"
)
"""After "and" / "or", a word that starts a new clause: the scope ends there."""

GENERIC = words(
    "we our us they their them it its this that these those there here a an the of in on at "
    "to for from by with as and or into onto over under than then such also both each other "
    "any all some most many much very so be is are was were been being has have had do does "
    "did can could will would should must shall one two first second new propose proposes "
    "proposed present presents show shows showed shown demonstrate demonstrates "
    "demonstrated find finds found observe observes observed report reports reported study "
    "studies studied paper work approach approaches method methods model models result "
    "results use uses used using based via further furthermore moreover however "
    "additionally finally specifically particular particularly even still just only "
    "significantly substantially considerably greatly largely mostly mainly primarily "
    "overall respectively e.g i.e etc et al including include includes task tasks up down "
    "remain remains remained"
)
"""Words too common to tie a negation or a direction to the same content."""

MORPH_PREFIXES = ("non-", "non", "un", "in", "im", "ir", "il", "dis", "a")
MORPH_BASE_ENDINGS = tuple(
    words(
        "able ible al ant ent ive ate ect ic ical ous ular ite ient ful ear ean ilar ary ory "
        "ected ected ained abeled elled ity ency acy"
    )
)
"""A prefixed word is read as a negation ("ineffective": not effective) only when its base ends
like an adjective (or a few participles: "unaffected", "unlabeled"), so that "improve" is not
"not prove" nor "increasing" "not creasing"."""

MORPH_EXCEPTIONS = words(
    "under understand understanding understood unit units union unique universal "
    "universally uniform unify unified unless until unanimous interest interesting "
    "interested important impact impacts increase information inference infer input inputs "
    "instance integral intensive internal interval illustrate image imagine immense "
    "implicit implicitly incremental increment index indicate individual industrial "
    "inherent initial innate interaction interactions interactive discover discovered "
    "discuss discussed distance distinct distribution distributed display dispose disposal "
    "dissect across along alike apart above around ahead assign ascent amount aside ago "
    "again against align aligned also among attend attention annual"
)
"""Words that look prefixed but are not negations of their stem."""

MORPH_A_WORDS = words(
    "asymptomatic atypical asynchronous asymmetric asymmetrical acyclic aperiodic amorphous "
    "apolitical atemporal"
)
"""The only words read as "a-" negations ("asymptomatic": without symptoms)."""


def _table(text: str) -> Iterable[tuple[str, list[str]]]:
    """(head, words) of each "head: words" entry (continued on indented lines)."""
    head, words = "", list[str]()
    for line in text.strip().splitlines():
        if not line.startswith("  ") and ":" in line:
            if head:
                yield head, words
            head, _, rest = line.partition(":")
            words = rest.split()
        else:
            words += line.split()
    if head:
        yield head, words


def _polar() -> dict[str, tuple[str, int]]:
    table: dict[str, tuple[str, int]] = {}
    for head, words in _table(_POLAR):
        concept, value = head.split()
        for word in words:
            table.setdefault(word, (concept, int(value)))
    return table


def _contrasts() -> dict[str, tuple[str, str]]:
    table: dict[str, tuple[str, str]] = {}
    for head, words in _table(_CONTRASTS):
        for word in words:
            base = word[:-4] if word.endswith("ically") else word.removesuffix("ly")
            table[word] = (head, base.replace("-", ""))
    return table


POLAR: dict[str, tuple[str, int]] = _polar()
"""word -> (concept, value)."""

CONTRAST: dict[str, tuple[str, str]] = _contrasts()
"""word -> (set, value)."""
