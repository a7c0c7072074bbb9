"""The ten course objectives, in short learner-facing words, for the confidence ratings."""

# Paraphrased from the course's learning objectives (SOP primer, section 2).
OBJECTIVES: dict[int, str] = {
    1: "Use SOP as a practical way to support families collaboratively, with cultural humility and awareness of trauma",
    2: "Describe SOP's key elements and values and how they help open, honest work with families and their networks",
    3: "Recognize what a rigorous, balanced assessment needs, and the tools that support it",
    4: "Define safety, acts of protection, strengths, harm, danger and complicating factors",
    5: "Name the foundational SOP tools and what each one helps with",
    6: "Explain how SOP puts California's Integrated Core Practice Model into practice",
    7: "Recognize how SOP supports trauma-informed, culturally responsive practice",
    8: "Map a case vignette using SOP terms and behaviorally specific language",
    9: "Write a harm statement, a danger statement and a safety goal from a vignette",
    10: "Write solution-focused questions that lead to next steps",
}

CONFIDENCE_LABELS = {1: "Not at all confident", 2: "Slightly confident", 3: "Somewhat confident",
                     4: "Confident", 5: "Very confident"}
RATING_LABELS = {1: "1, poor", 2: "2", 3: "3", 4: "4", 5: "5, excellent"}
RECOMMEND_CHOICES = (("yes", "Yes"), ("maybe", "Not sure"), ("no", "No"))
