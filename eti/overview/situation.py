"""The family's answers to the guided questions: yes/no, numbers and fixed choices, never free text.

No names, no ID numbers, no diagnosis: only what the rules need. Nothing here is stored or logged.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

Work = Literal["employed", "self_employed", "freelance", "student", "not_working"]
WORK_VALUES: tuple[str, ...] = ("employed", "self_employed", "freelance", "student", "not_working")


def _integral(value: Any) -> Any:
    """JSON has one number type: 6.0 is the integer 6 (JSON Schema agrees). 6.5, "6" and true stay refused."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


Age = Annotated[int, Field(ge=0, le=25), BeforeValidator(_integral)]
Percent = Annotated[int, Field(ge=0, le=100), BeforeValidator(_integral)]


class Parent(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    work: Work = Field(description="What the parent does: employed (arbeidstaker), self_employed (selvstendig "
                                   "næringsdrivende), freelance (frilanser), student, or not_working")


EXAMPLE = {"child_age": 6, "specialist_followup": True, "night_supervision": False, "extra_care": True,
           "medical_equipment": False, "attendance_percent": 20, "life_limiting": False,
           "parents": [{"work": "self_employed"}, {"work": "employed"}], "siblings": True,
           "municipality": "4207", "language": "nb"}


class FamilySituation(BaseModel):
    """The answers of the kartlegging. Every field is a fixed type; unknown fields are refused."""

    model_config = ConfigDict(extra="forbid", strict=True, json_schema_extra={"examples": [EXAMPLE]})

    child_age: Age = Field(description="The child's age in whole years (0-25)")
    specialist_followup: bool = Field(
        description="The child has been in hospital or is followed up by the specialist health service "
                    "(sykehus, barnelege, HABU, BUP)")
    night_supervision: bool = Field(description="Someone has to watch over or help the child at night")
    extra_care: bool = Field(description="The child needs much more care and supervision at home than other "
                                         "children of the same age")
    medical_equipment: bool = Field(description="Medical equipment is used at home (for example a feeding tube, "
                                                "oxygen, a ventilator or suction)")
    attendance_percent: Percent | None = Field(
        default=None,
        description="How much of the time (0-100 %) the child can be in kindergarten or school; null when "
                    "neither is relevant (a baby at home, a young adult who has left school)")
    life_limiting: bool = Field(description="The child has a life-threatening or life-limiting illness where "
                                            "palliative care is or may become relevant")
    parents: list[Parent] = Field(min_length=1, max_length=2,
                                  description="One entry per parent or carer in the household (1-2)")
    siblings: bool = Field(description="The child has brothers or sisters")
    municipality: str | None = Field(default=None, pattern=r"^\d{4}$",
                                     description="The kommunenummer (4 digits), to list the kommune's own pages; "
                                                 "null when not given")
    language: Literal["nb", "nn", "en"] = Field(default="nb", description="The language of the overview's texts")
    mobility: bool = Field(default=False, description="The child cannot walk, or walks with great difficulty "
                                                      "compared with children of the same age (for example uses a "
                                                      "wheelchair)")
    learning_support: bool = Field(default=False, description="The child needs extra help to develop, learn, talk "
                                                              "or communicate in kindergarten or school")
    extra_costs: bool = Field(default=False, description="The condition brings regular extra costs (transport, "
                                                         "special diet, worn clothes and bedding, running equipment)")
    developmental_disability: bool = Field(default=False, description="The child has an intellectual disability "
                                                                      "(utviklingshemming)")

    def facts(self) -> dict[str, Any]:
        """The values the rules' conditions read: every answer, with one entry per parent for work."""
        facts = self.model_dump(exclude={"parents", "language"})
        facts["parent_work"] = [p.work for p in self.parents]
        facts["parent_count"] = len(self.parents)
        return facts


# the fields a rule may test, with their type and (for fixed choices) their allowed values
FIELDS: dict[str, tuple[type, tuple | None]] = {
    "child_age": (int, None), "specialist_followup": (bool, None), "night_supervision": (bool, None),
    "extra_care": (bool, None), "medical_equipment": (bool, None), "attendance_percent": (int, None),
    "life_limiting": (bool, None), "siblings": (bool, None), "municipality": (str, None),
    "mobility": (bool, None), "learning_support": (bool, None), "extra_costs": (bool, None),
    "developmental_disability": (bool, None), "parent_work": (str, WORK_VALUES), "parent_count": (int, None),
}
