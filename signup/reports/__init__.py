"""Reports for funders and for the network: anonymous figures per workshop, per organisation
and period, and for the whole instance; on screen with bar charts, as PDF and as CSV."""
