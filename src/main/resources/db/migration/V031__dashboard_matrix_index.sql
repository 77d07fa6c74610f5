-- The dashboard's matrix finds each component's last deployment in each environment one step down this
-- index per place, instead of reading every deployment ever made.
create index deployments_matrix on deployments (service, component, environment, id);
