# fastapi_users.db re-exports the SQLAlchemy adapter's bases (see ../../README.md).
from fastapi_users_db_sqlalchemy import (
    SQLAlchemyBaseOAuthAccountTable as SQLAlchemyBaseOAuthAccountTable,
    SQLAlchemyBaseOAuthAccountTableUUID as SQLAlchemyBaseOAuthAccountTableUUID,
    SQLAlchemyBaseUserTable as SQLAlchemyBaseUserTable,
    SQLAlchemyBaseUserTableUUID as SQLAlchemyBaseUserTableUUID,
)
