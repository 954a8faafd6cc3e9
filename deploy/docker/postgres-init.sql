-- Development fixture for docker-compose.yml: runs once, when the postgres container starts on an
-- empty volume (docker-entrypoint-initdb.d), as the POSTGRES_USER superuser.
-- One database per service that owns state: each agency keeps its own store, the audit
-- service and the joint task force have theirs. Schemas are created by the services.
-- (Without Docker, the Node test harness creates these databases itself.)

CREATE DATABASE interlink_police;
CREATE DATABASE interlink_immigration;
CREATE DATABASE interlink_foreign_ministry;
CREATE DATABASE interlink_audit;
CREATE DATABASE interlink_task_force;
