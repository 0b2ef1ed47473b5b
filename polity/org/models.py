"""The organisation's tree of units and their bodies."""

from django.db import models


class Unit(models.Model):
    """A node of the tree (national, region, constituency, branch: levels come from the rulebook).

    `path` is a materialised path of zero-padded ids ("000001.000004.000019."), so a subtree is one
    indexed prefix query at any scale.
    """

    name = models.CharField(max_length=200)
    code = models.SlugField(max_length=60, unique=True)
    level = models.CharField(max_length=40)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(editable=False, default=0)

    class Meta:
        ordering = ["path"]
        indexes = [models.Index(fields=["level"], name="org_unit_level")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(parent__isnull=True, depth=0)
                | models.Q(parent__isnull=False, depth__gt=0),
                name="org_unit_root_depth",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def contains(self, other: "Unit") -> bool:
        return other.path.startswith(self.path)

    @staticmethod
    def segment(pk: int) -> str:
        return f"{pk:06d}."


class Body(models.Model):
    """A committee of a unit: executive committee, general committee, AGM, a national panel."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="bodies")
    kind = models.CharField(max_length=60)  # a key of the rulebook's [bodies]
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["unit__path", "name"]
        constraints = [models.UniqueConstraint(fields=["unit", "kind"], name="org_body_one_per_kind")]

    def __str__(self) -> str:
        return self.name
