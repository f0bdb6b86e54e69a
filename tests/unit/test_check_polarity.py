"""Polarity, its comparison and quantities: what the offline judge's contradiction model reads."""

import pytest

from assistant.citations.check.comparison import Comparison, compare
from assistant.citations.check.polarity import read
from assistant.citations.check.quantities import quantities


def findings(claim: str, evidence: str) -> Comparison:
    return compare(read(claim), read(evidence))


def conflicts(claim: str, evidence: str) -> set[str]:
    return {f.kind for f in findings(claim, evidence).findings if not f.agrees}


def agreements(claim: str, evidence: str) -> set[str]:
    return {f.kind for f in findings(claim, evidence).findings if f.agrees}


SOURCE = (
    "Our experiments show that removing some of the most linear blocks of transformers does not "
    "affect significantly the loss or model performance."
)


def test_a_sentence_compared_with_itself_has_no_conflict() -> None:
    assert conflicts(SOURCE, SOURCE) == set()
    assert "negation" in agreements(SOURCE, SOURCE)


@pytest.mark.parametrize(
    ("claim", "evidence"),
    [
        # the negation is shared, in other words
        ("Productivity did not fall during the trial.", "Productivity was maintained."),
        (
            "The limits of Transformers remain poorly understood.",
            "The limits of Transformers are not well understood.",
        ),
        (
            "The estimate does not depend on the sequence length.",
            "The estimate is independent of the sequence length.",
        ),
        (
            "We present ViT-CoMer, a backbone that needs no pre-training.",
            "We present a plain, pre-training-free backbone named ViT-CoMer.",
        ),
        ("43 percent of contacts had no symptoms.", "Of these, 43.2% were asymptomatic."),
        # a figure of the evidence that the claim states elsewhere is no disagreement
        (
            "Of the 316 metabolites detected, 179 were known compounds and 48 remained unknown.",
            "179 were identified as known compounds, and 48 metabolites were unknown.",
        ),
        (
            "The department has 117 beds, in a hospital of more than 1,000 beds.",
            "The department has a bed capacity of 117 and the hospital has over 1000 beds.",
        ),
        # what a colon lists, and what a relative clause says of it, is denied with it
        (
            "The models lack interpretability and support for sparse inputs.",
            "The models lack two properties: interpretability, and support for sparse inputs.",
        ),
        (
            "The student is trained without an expensive, complex teacher.",
            "The student is trained without a complex teacher, which is expensive.",
        ),
        ("Labels for the rare classes are missing.", "The data lacks labels for rare classes."),
        # next to no change is no change
        ("Pruning barely affects accuracy.", "Pruning has a negligible impact on accuracy."),
        ("Pruning does not affect accuracy.", "Pruning causes a minimal drop in accuracy."),
        # one direction in a word of a kindred concept, about the same thing
        (
            "The adapter makes the encoder more robust with minimal memory overhead.",
            "The adapter enhances the robustness of the encoder with minimal memory overhead.",
        ),
        # "lack X" denies X alone; "poorly understood" is "not understood"
        ("Current detectors do not generalize well.", "Current detectors lack generalizability."),
        (
            "Why warm-up helps is poorly understood theoretically.",
            "There is a lack of theoretical understanding of why warm-up helps.",
        ),
        (
            "The loss cannot be minimised directly.",
            "It is impossible to minimise the loss directly.",
        ),
        # undecided, usually, and words in another sense are no negation and no direction
        (
            "Whether the model forgets depends on the learning rate.",
            "The model may or may not forget, depending on the learning rate.",
        ),
        (
            "Most of these papers claim accuracy superior to the baseline.",
            "These papers more often than not claim accuracy superior to the baseline.",
        ),
        (
            "We summarise the ideas behind successful optimisers.",
            "We summarise the ideas of successful optimisers as well as open problems.",
        ),
        # a noun's object may come late: "reduction" agrees, "high" is about the temperature
        (
            "Heat stress reduced kernel weight per ear by a fifth.",
            "The reduction due to high temperature stress in kernel weight per ear was 20%.",
        ),
        # "improvement" is no "im-provement"; "little attention" is "less attention"
        (
            "Experiments on three datasets show a remarkable gain over alternative methods.",
            "We run experiments on three datasets and achieve a remarkable improvement compared "
            "with alternative methods.",
        ),
        (
            "Comparatively little attention has gone to explaining the routers.",
            "Explaining the routers has received less attention.",
        ),
        # an amount is a rank, reversed for what is better smaller
        (
            "The cache reduces latency on every request.",
            "The cache improves latency on every request.",
        ),
        # not negations
        (
            "The technique not only helps to avoid overfitting but can also lower training loss.",
            "The technique helps to avoid overfitting and can result in lower training loss.",
        ),
        (
            "Regular walking may improve mood.",
            "These findings suggest that regular walking could improve mood.",
        ),
        # a double negation is an assertion
        (
            "The method does not fail to deliver a gain of about 2 percent.",
            "The method obtains a substantial gain (~2%).",
        ),
    ],
)
def test_agreements_in_other_words(claim: str, evidence: str) -> None:
    assert conflicts(claim, evidence) == set()


@pytest.mark.parametrize(
    ("claim", "evidence", "kind"),
    [
        (
            "Hydroxychloroquine improves survival in hospitalised patients.",
            "We were unable to confirm a benefit of hydroxychloroquine on survival.",
            "negation",
        ),
        (
            "Removing the most linear blocks significantly degrades the loss.",
            SOURCE,
            "negation",
        ),
        (
            "Sleep deprivation slows reaction times.",
            "Sleep deprivation did not affect reaction times.",
            "negation",
        ),
        (
            "The hybrid model falls far behind the Transformer on long-context tasks.",
            "The hybrid model closely matches the Transformer on long-context tasks.",
            "direction",
        ),
        (
            "These factors improve the performance of MoE models.",
            "These factors degrade the performance of MoE models.",
            "direction",
        ),
        (
            "GTs have linear computational cost.",
            "GTs have quadratic computational cost.",
            "contrast",
        ),
        (
            "Autoformer gives an 8% relative improvement on six benchmarks.",
            "Autoformer yields a 38% relative improvement on six benchmarks.",
            "quantity",
        ),
        (
            "Before parsing, PDFs of more than 20 pages were discarded as likely reports.",
            "Before parsing, we filter out PDFs that have greater than 50 pages.",
            "quantity",
        ),
        ("Sparse models generalize well.", "Sparse models lack generalizability.", "negation"),
        (
            "Vision-language models (VLMs) are cheap to deploy.",
            "Vision-language models are expensive to deploy.",
            "direction",
        ),
        (
            "Model A converges more slowly than model B.",
            "Model A converges faster than B.",
            "direction",
        ),
        (
            "The network draws attention despite its inferior accuracy.",
            "The network draws attention for its ability to learn global relations and superior "
            "accuracy.",
            "direction",
        ),
        (
            "Their low memory requirements suit long inputs.",
            "Their high memory requirements are a bottleneck for long inputs.",
            "direction",
        ),
        (
            "Warm-starting from attention weights, which slows down convergence.",
            "Warm-starting from attention weights to accelerate convergence.",
            "direction",
        ),
        ("The loader is memory-hungry.", "The loader is memory-efficient.", "direction"),
        ("Such schedules are optimal.", "Such schedules are sub-optimal.", "direction"),
        (
            "This efficiency comes from the cyclic shift.",
            "This inefficiency comes from the cyclic shift.",
            "negation",
        ),
        (
            "Experiments show that the adapter degrades performance on detection.",
            "Experiments show that the adapter boosts performance on detection.",
            "direction",
        ),
        (
            "The cache increases latency on every request.",
            "The cache improves latency on every request.",
            "direction",
        ),
        (
            "Softmax normalisation is necessary.",
            "Softmax normalisation is sufficient but not necessary.",
            "negation",
        ),
        (
            "Recurrent networks are ineffective models for sequences.",
            "Recurrent networks are effective models for sequences.",
            "negation",
        ),
    ],
)
def test_reversals_on_the_same_content(claim: str, evidence: str, kind: str) -> None:
    assert kind in conflicts(claim, evidence)


def test_a_negation_about_something_else_is_no_conflict() -> None:
    evidence = "X improves accuracy on GLUE and does not require fine-tuning."
    assert conflicts("X improves accuracy on GLUE.", evidence) == set()


def test_the_reason_names_what_is_reversed() -> None:
    comparison = findings(
        "Hydroxychloroquine improves survival.",
        "We were unable to confirm a benefit of hydroxychloroquine.",
    )
    assert comparison.reason().startswith("negation:")
    assert "unable" in comparison.reason()


@pytest.mark.parametrize(
    ("first", "second", "agree"),
    [
        ("43 percent", "43.2%", True),
        ("roughly 88 percent", "87.8%", True),
        ("five times the throughput", "5times higher throughput", True),
        ("twice as fast", "about 2x faster", True),
        ("up to half of the memory", "up to 50%", True),
        ("1.7x - 2.7x faster", "2x faster", True),
        ("more than 40%", "43.2%", True),
        ("greater than 50 pages", "more than 50 pages", True),
        ("greater than 50 pages", "more than 20 pages", False),
        ("43 percent", "34%", False),
        ("about 2x faster", "20x faster", False),
        ("two blocks", "six blocks", False),
    ],
)
def test_quantities_agree_within_rounding(first: str, second: str, agree: bool) -> None:
    (a,), (b,) = quantities(first), quantities(second)
    assert a.agrees(b) is agree


@pytest.mark.parametrize(
    "text", ["GPT-4-Turbo", "ResNet-50 on val2017", "256times256 images", "(Tan & Le, 2019)"]
)
def test_names_sizes_and_years_are_not_quantities(text: str) -> None:
    assert quantities(text) == ()
