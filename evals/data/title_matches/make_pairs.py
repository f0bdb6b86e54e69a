"""Writes pairs.jsonl: hand-written pairs of (library record, API record) and whether they are the
same paper. Kept as code so the set is reviewable; run once: python make_pairs.py"""
import hashlib
import json
from pathlib import Path


def rec(title, year, *authors):
    return {"title": title, "year": year, "authors": list(authors)}


PAIRS = [
    # case, library record, API record, same paper?, note
    # --- identical up to case, punctuation, accents, markup
    ("case", rec("Attention Is All You Need", 2017, "Ashish Vaswani", "Noam Shazeer"), rec("Attention is all you need", 2017, "Ashish Vaswani", "Noam Shazeer"), True, "case only"),
    ("punctuation", rec("Scikit-learn: Machine Learning in Python", 2011, "Fabian Pedregosa"), rec("Scikit-learn: machine learning in Python", 2011, "Fabian Pedregosa", "Gaël Varoquaux"), True, "case, one more author"),
    ("punctuation", rec("{BERT}: Pre-training of Deep Bidirectional Transformers for Language Understanding", 2019, "Jacob Devlin"), rec("BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding", 2019, "Jacob Devlin", "Ming-Wei Chang"), True, "BibTeX braces"),
    ("punctuation", rec("BERT: Pretraining of deep bidirectional transformers for language understanding", 2019, "Jacob Devlin"), rec("BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding", 2019, "J. Devlin"), True, "hyphen dropped inside a word"),
    ("punctuation", rec("Self-Supervised Learning of Pretext-Invariant Representations", 2020, "Ishan Misra"), rec("Self supervised learning of pretext invariant representations", 2020, "Ishan Misra", "Laurens van der Maaten"), True, "hyphens as spaces"),
    ("accents", rec("Antibiotic susceptibility testing using minimum inhibitory concentration (MIC) assays", 2024, "Nikol Kadeřábková"), rec("Antibiotic susceptibility testing using minimum inhibitory concentration (MIC) assays", 2024, "Nikol Kaderabkova", "Ayesha J. S. Mahmood"), True, "accent dropped in the family name"),
    ("accents", rec("Über die Elektrodynamik bewegter Körper", 1905, "Albert Einstein"), rec("Uber die Elektrodynamik bewegter Korper", 1905, "A. Einstein"), True, "umlauts dropped"),
    ("accents", rec("Sur la dynamique de l'électron", 1906, "Henri Poincaré"), rec("Sur la dynamique de l’électron", 1906, "H. Poincare"), True, "curly apostrophe and accents"),
    ("markup", rec("Construction of a reference material panel for detecting KRAS/NRAS/EGFR/BRAF/MET mutations in plasma ctDNA", 2020, "Jun Xu"), rec("Construction of a reference material panel for detecting <i>KRAS</i> / <i>NRAS</i> / <i>EGFR</i> / <i>BRAF</i> / <i>MET</i> mutations in plasma ctDNA", 2020, "Jun Xu", "Shoufang Qu"), True, "HTML italics in the API title (tags stripped by the client)"),
    ("markup", rec("α-Synuclein aggregation in Parkinson's disease", 2018, "Maria Grazia Spillantini"), rec("alpha-Synuclein aggregation in Parkinson's disease", 2018, "Maria Grazia Spillantini"), True, "Greek letter spelled out"),
    ("case", rec("PROTEIN MEASUREMENT WITH THE FOLIN PHENOL REAGENT", 1951, "Oliver H. Lowry"), rec("Protein measurement with the Folin phenol reagent", 1951, "OliverH. Lowry", "NiraJ. Rosebrough"), True, "all caps; OpenAlex's glued initials"),
    # --- author name forms
    ("authors", rec("Nonparametric Estimation from Incomplete Observations", 1958, "E. L. Kaplan", "Paul Meier"), rec("Nonparametric estimation from incomplete observations", 1958, "Edward L. Kaplan", "Paul Meier"), True, "initials against full given name"),
    ("authors", rec("Mastering the game of Go with deep neural networks and tree search", 2016, "David Silver"), rec("Mastering the game of Go with deep neural networks and tree search", 2016, "D. Silver", "A. Huang"), True, "initial only"),
    ("authors", rec("Deep learning of representations for unsupervised and transfer learning", 2012, "Yoshua Bengio"), rec("Deep Learning of Representations for Unsupervised and Transfer Learning", 2012, "Y. Bengio"), True, "initial only"),
    ("authors", rec("Visualizing Data using t-SNE", 2008, "Laurens van der Maaten", "Geoffrey Hinton"), rec("Visualizing data using t-SNE", 2008, "L. van der Maaten", "G. Hinton"), True, "particle in the family name"),
    ("authors", rec("Reference material panel for liquid biopsy", 2021, "Jun Xu"), rec("Reference material panel for liquid biopsy", 2021, "Xu Jun"), True, "family name first in one record"),
    ("authors", rec("How does multiple testing correction work?", 2009, "William S Noble"), rec("How does multiple testing correction work?", 2009, "William Stafford Noble"), True, "middle name spelled out"),
    # --- missing year or authors on one side
    ("missing", rec("Generalized additive models for location, scale and shape", None, "R. A. Rigby"), rec("Generalized additive models for location, scale and shape", 2005, "R. A. Rigby", "D. M. Stasinopoulos"), True, "no year in the library"),
    ("missing", rec("Random forests", 2001), rec("Random Forests", 2001, "Leo Breiman"), True, "no authors in the library, title and year agree"),
    ("missing", rec("CABBAGE", 2025, "Leonid Chindelevitch"), rec("CABBAGE", 2025, "Leonid Chindelevitch", "Maryam Hayati"), True, "one-word title, same year and author"),
    # --- preprint and published versions
    ("versions", rec("Augmenting large language models with chemistry tools", 2024, "Andres M. Bran"), rec("ChemCrow: Augmenting large-language models with chemistry tools", 2023, "Andres M Bran", "Sam Cox"), True, "the OpenAlex fixture's pair: preprint with a name prefix, a year earlier"),
    ("versions", rec("ChemCrow: Augmenting large-language models with chemistry tools", 2023, "Andres M Bran"), rec("Augmenting large language models with chemistry tools", 2024, "Andres M. Bran", "Sam Cox"), True, "the same pair the other way round"),
    ("versions", rec("BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding", 2018, "Jacob Devlin"), rec("BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding", 2019, "Jacob Devlin"), True, "arXiv 2018, NAACL 2019"),
    ("versions", rec("Adam: A Method for Stochastic Optimization", 2015, "Diederik P. Kingma"), rec("Adam: A Method for Stochastic Optimization", 2014, "Diederik P. Kingma", "Jimmy Ba"), True, "ICLR 2015, arXiv 2014"),
    ("versions", rec("Language Models are Few-Shot Learners", 2020, "Tom B. Brown"), rec("Language models are few-shot learners", 2020, "T. B. Brown"), True, "preprint and NeurIPS in the same year"),
    ("versions", rec("Deep Residual Learning for Image Recognition", 2016, "Kaiming He"), rec("Deep residual learning for image recognition", 2015, "Kaiming He", "Xiangyu Zhang"), True, "CVPR 2016, arXiv 2015"),
    ("versions", rec("Neural Machine Translation by Jointly Learning to Align and Translate", 2015, "Dzmitry Bahdanau"), rec("Neural machine translation by jointly learning to align and translate", 2014, "Dzmitry Bahdanau"), True, "ICLR 2015, arXiv 2014"),
    ("versions", rec("Dropout: A Simple Way to Prevent Neural Networks from Overfitting", 2014, "Nitish Srivastava"), rec("Dropout: a simple way to prevent neural networks from overfitting", 2014, "Nitish Srivastava", "Geoffrey Hinton"), True, "journal version"),
    # --- subtitles
    ("subtitle", rec("Scikit-learn", 2011, "Fabian Pedregosa"), rec("Scikit-learn: Machine Learning in Python", 2011, "Fabian Pedregosa"), True, "subtitle left out in the library"),
    ("subtitle", rec("Survival Analysis Part I", 2003, "T G Clark"), rec("Survival Analysis Part I: Basic concepts and first analyses", 2003, "T G Clark", "M J Bradburn"), True, "subtitle left out"),
    ("subtitle", rec("Segmentation of liver vasculature from contrast enhanced CT images using context-based voting", 2011, "Yanling Chi"), rec("Segmentation of Liver Vasculature From Contrast Enhanced CT Images Using Context-Based Voting", 2011, "Yanling Chi", "Jimin Liu"), True, "title case"),
    ("subtitle", rec("The Shape of Temptation", 2014, "Jonathan Zinman"), rec("The Shape of Temptation: Implications for the Economic Lives of the Poor", 2014, "Jonathan Zinman"), True, "subtitle left out"),
    ("subtitle", rec("Proximal Policy Optimization Algorithms", 2017, "John Schulman"), rec("Proximal policy optimization algorithms: a new family of policy gradient methods", 2017, "John Schulman"), True, "subtitle added in the API"),
    # --- spelling variants
    ("spelling", rec("Modelling the spread of antimicrobial resistance in hospital wards", 2019, "Ben Cooper"), rec("Modeling the spread of antimicrobial resistance in hospital wards", 2019, "Ben Cooper"), True, "British and American spelling"),
    ("spelling", rec("Optimisation of dosing regimens for aminoglycosides", 2012, "Alison Holmes"), rec("Optimization of dosing regimens for aminoglycosides", 2012, "Alison Holmes"), True, "British and American spelling"),
    ("spelling", rec("Colour constancy in natural scenes", 2003, "David Foster"), rec("Color constancy in natural scenes", 2003, "David Foster"), True, "British and American spelling"),
    # --- same title, different paper (year far apart)
    ("year", rec("Deep learning", 2015, "Yann LeCun"), rec("Deep learning", 2016, "Ian Goodfellow"), False, "Nature review and the MIT Press book"),
    ("year", rec("Generative Adversarial Nets", 2014, "Ian Goodfellow"), rec("Generative adversarial networks", 2020, "Ian Goodfellow"), False, "NeurIPS paper and CACM article six years later"),
    ("year", rec("Survival analysis", 2003, "T G Clark"), rec("Survival analysis", 2012, "T G Clark"), False, "same author, same generic title, years apart"),
    ("year", rec("Machine learning", 1997, "Tom Mitchell"), rec("Machine learning", 2006, "Tom Mitchell"), False, "same author, two works nine years apart"),
    ("year", rec("The global burden of disease", 2004, "Colin Mathers"), rec("The global burden of disease", 2008, "Colin Mathers"), False, "report editions four years apart"),
    ("year", rec("Editorial", 2019, "Jane Smith"), rec("Editorial", 2021, "Jane Smith"), False, "generic title two years apart"),
    ("year", rec("Antimicrobial resistance surveillance report", 2018, "Eric Brown"), rec("Antimicrobial resistance surveillance report", 2020, "Eric Brown"), False, "yearly report"),
    # --- same title, different first author
    ("author", rec("Deep learning", 2015, "Yann LeCun"), rec("Deep learning", 2015, "Jürgen Schmidhuber"), False, "same year, different author"),
    ("author", rec("A survey of transfer learning", 2016, "Karl Weiss"), rec("A survey of transfer learning", 2016, "Fuzhen Zhuang"), False, "different author, same title"),
    ("author", rec("Introduction", 2020, "Maria Garcia"), rec("Introduction", 2020, "Peter Jones"), False, "generic title"),
    ("author", rec("Random forests", 2001, "Leo Breiman"), rec("Random forests", 2001, "Adele Cutler"), False, "different first author"),
    ("author", rec("Contrast-enhanced ultrasound of the abdominal vasculature", 2018, "Vasileios Rafailidis"), rec("Contrast-enhanced ultrasound of the abdominal vasculature", 2018, "Paul Sidhu"), False, "another paper under the same title (a commentary by another author)"),
    ("author", rec("Graph neural networks: a review of methods and applications", 2020, "Jie Zhou"), rec("Graph neural networks: a review of methods and applications", 2020, "Zonghan Wu"), False, "different first author"),
    # --- near-identical titles, different papers
    ("near", rec("Attention is all you need", 2017, "Ashish Vaswani"), rec("Attention is not all you need", 2021, "Yihe Dong"), False, "one word added"),
    ("near", rec("Attention is all you need", 2021, "Yihe Dong"), rec("Attention is not all you need", 2021, "Yihe Dong"), False, "one word added, same year and author"),
    ("near", rec("A survey on transfer learning", 2010, "Sinno Jialin Pan"), rec("A survey of transfer learning", 2016, "Karl Weiss"), False, "one function word differs"),
    ("near", rec("Survival Analysis Part I: Basic concepts and first analyses", 2003, "T G Clark"), rec("Survival Analysis Part II: Multivariate data analysis – an introduction to concepts and methods", 2003, "M J Bradburn"), False, "part I and part II"),
    ("near", rec("Survival analysis part I", 2003, "T G Clark"), rec("Survival analysis part II", 2003, "T G Clark"), False, "part I and part II, same author and year"),
    ("near", rec("Language models are unsupervised multitask learners", 2019, "Alec Radford"), rec("Language models are few-shot learners", 2020, "Tom B. Brown"), False, "same start"),
    ("near", rec("Deep residual learning for image recognition", 2016, "Kaiming He"), rec("Deep residual learning for image super-resolution", 2016, "Kaiming He"), False, "last word differs"),
    ("near", rec("Learning to rank with nonsmooth cost functions", 2006, "Christopher Burges"), rec("Learning to rank with non-smooth cost functions", 2007, "Christopher Burges"), True, "hyphenation and a year apart: the same NIPS paper"),
    ("near", rec("Improved techniques for training GANs", 2016, "Tim Salimans"), rec("Improved techniques for training score-based generative models", 2020, "Yang Song"), False, "same start"),
    ("near", rec("Mining association rules between sets of items in large databases", 1993, "Rakesh Agrawal"), rec("Fast algorithms for mining association rules in large databases", 1994, "Rakesh Agrawal"), False, "same author, overlapping words"),
    ("near", rec("BERT: Pre-training of deep bidirectional transformers for language understanding", 2019, "Jacob Devlin"), rec("RoBERTa: A robustly optimized BERT pretraining approach", 2019, "Yinhan Liu"), False, "related paper"),
    ("near", rec("Microcredit in theory and practice", 2013, "Dean Karlan"), rec("Microcredit in theory and practice: using randomized credit scoring for impact evaluation", 2011, "Dean Karlan"), True, "subtitle left out, two years apart (working paper and journal)"),
    ("near", rec("Impact of microcredit in rural areas of Morocco", 2015, "Bruno Crépon"), rec("Impact of microcredit in rural areas of Morocco: evidence from a randomized evaluation", 2015, "Bruno Crepon"), True, "subtitle left out, accent"),
    ("near", rec("Contrast-enhanced microCT of murine hearts", 2024, "Camille Pestiaux"), rec("X-ray-Based 3D Histology of Murine Hearts Using Contrast-Enhanced Microfocus Computed Tomography", 2024, "Camille Pestiaux"), False, "same author and topic, other title"),
    # --- notices about a paper are not the paper
    ("notice", rec("Methylphenidate exposure induces dopamine neuron loss and activation of microglia in the basal ganglia of mice", 2012, "Kristen A. Sadasivan"), rec("Correction: Methylphenidate Exposure Induces Dopamine Neuron Loss and Activation of Microglia in the Basal Ganglia of Mice", 2012, "Kristen A. Sadasivan"), False, "a correction notice"),
    ("notice", rec("Mesenchymal stem cells for cartilage repair", 2015, "Li Wang"), rec("Retraction: Mesenchymal stem cells for cartilage repair", 2016, "Li Wang"), False, "a retraction notice"),
    ("notice", rec("The effects of financial development in the short and long run", 2010, "Pierre Guillaumont"), rec("Comment on: The effects of financial development in the short and long run", 2011, "Ross Levine"), False, "a comment"),
    ("notice", rec("Group lending or individual lending?", 2015, "Orazio Attanasio"), rec("Erratum: Group lending or individual lending?", 2015, "Orazio Attanasio"), False, "an erratum"),
    ("notice", rec("Contract structure, risk sharing and investment choice", 2013, "Greg Fischer"), rec("Reply to: Contract structure, risk sharing and investment choice", 2014, "Greg Fischer"), False, "a reply"),
    # --- preprint and published with another first author order or title change
    ("versions", rec("Large language models encode clinical knowledge", 2023, "Karan Singhal"), rec("Large Language Models Encode Clinical Knowledge", 2022, "Karan Singhal"), True, "Nature 2023, arXiv 2022"),
    ("versions", rec("Highly accurate protein structure prediction with AlphaFold", 2021, "John Jumper"), rec("Highly accurate protein structure prediction with AlphaFold", 2021, "John M. Jumper"), True, "middle initial"),
    ("versions", rec("Scaling laws for neural language models", 2020, "Jared Kaplan"), rec("Scaling Laws for Neural Language Models", 2023, "Jared Kaplan"), True, "the same paper, deposited again three years later"),
    ("versions", rec("Denoising diffusion probabilistic models", 2020, "Jonathan Ho"), rec("Denoising Diffusion Probabilistic Models", 2020, "Jonathan Ho", "Ajay Jain", "Pieter Abbeel"), True, "same"),
    ("versions", rec("Chain-of-thought prompting elicits reasoning in large language models", 2022, "Jason Wei"), rec("Chain of Thought Prompting Elicits Reasoning in Large Language Models", 2022, "Jason Wei"), True, "hyphens"),
    # --- titles that are too different
    ("different", rec("MIC distribution analysis identifies differences in AMR between population sub-groups", 2024, "Jacob Wildfire"), rec("Minimum inhibitory concentration distributions in Escherichia coli", 2024, "Jacob Wildfire"), False, "same author and year, different work"),
    ("different", rec("Impact of CLSI and EUCAST breakpoint discrepancies on reporting of antimicrobial susceptibility", 2019, "T.P. Cusack"), rec("Impact of CLSI and EUCAST breakpoint discrepancies on reporting of antimicrobial susceptibility and AMR surveillance", 2019, "T.P. Cusack"), True, "the library's title is the API's, cut short (Zotero's short title)"),
    ("different", rec("A randomized trial of microfinance in Mongolia", 2015, "Orazio Attanasio"), rec("Group lending or individual lending? Evidence from a randomised field experiment in Mongolia", 2015, "Orazio Attanasio"), False, "a paraphrase is not the title"),
]


def main() -> None:
    out = Path(__file__).with_name("pairs.jsonl")
    with out.open("w", encoding="utf-8") as handle:
        for number, (case, library, api, same, note) in enumerate(PAIRS, 1):
            pair_id = f"p{number:03d}"
            # A fixed third of the pairs, chosen by hash before any tuning, is held out.
            held_out = int(hashlib.sha1(pair_id.encode()).hexdigest(), 16) % 3 == 0
            row = {"id": pair_id, "case": case, "same": same, "split": "held-out" if held_out else "dev",
                   "library": library, "api": api, "note": note}
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{len(PAIRS)} pairs written to {out}")


if __name__ == "__main__":
    main()
