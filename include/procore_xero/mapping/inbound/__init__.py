"""Money coming back: pandas transforms from staged Xero records to the Procore records the sync writes
(vendors, commitment payments, direct costs, Xero-raised purchase orders) and the job-cost figures."""
