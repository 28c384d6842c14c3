from decimal import Decimal
from typing import Annotated

from sqlalchemy import Numeric, String
from sqlalchemy.orm import mapped_column

Money = Annotated[Decimal, mapped_column(Numeric(12, 2))]
Code = Annotated[str, mapped_column(String(12), unique=True)]
