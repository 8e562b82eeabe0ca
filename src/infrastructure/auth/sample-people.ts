/** A person in the local-mode directory; `id` plays the Entra object id (`oid`). */
export interface SamplePerson {
  id: string;
  name: string;
  email: string;
  jobTitle: string;
  /** App-role values put in the `roles` claim of this person's tokens. */
  appRoles: readonly string[];
  description: string;
}

/** The tenant and app registration that local mode pretends to be. */
export const LOCAL_TENANT_ID = '6dac6c9f-5f50-43d2-b754-232dcd2a150a';
export const LOCAL_CLIENT_ID = '53be7405-06f9-4444-a017-8cf3b6d6422e';

/** App-role values the Rectify app registration defines, per Rectify role. */
export const DEFAULT_ROLE_CLAIM_VALUES = {
  mr: ['ManagementRepresentative'],
  committee: ['SteeringCommittee'],
} as const satisfies { mr: readonly string[]; committee: readonly string[] };

export const SAMPLE_PEOPLE: readonly SamplePerson[] = [
  {
    id: '4202fded-0b11-4705-8c6e-f47b5e5b7819',
    name: 'Alex Morgan',
    email: 'alex.morgan@contoso.example',
    jobTitle: 'Service Desk Analyst',
    appRoles: [],
    description: 'Reporter: raises nonconformities and follows their own reports.',
  },
  {
    id: '76beb7aa-85d9-46c2-bc0a-dd1ed29addcb',
    name: 'Priya Shah',
    email: 'priya.shah@contoso.example',
    jobTitle: 'Software Engineer',
    appRoles: [],
    description: 'Reporter: raises nonconformities and follows their own reports.',
  },
  {
    id: 'd0931742-6d72-4926-8bc1-75e1df58241b',
    name: 'Jordan Lee',
    email: 'jordan.lee@contoso.example',
    jobTitle: 'Information Security Manager',
    appRoles: ['ManagementRepresentative'],
    description:
      'Management Representative: records CARs, investigates root causes, plans actions, verifies effectiveness and closes.',
  },
  {
    id: '433fa2e5-018e-4102-a206-f30c9a4fe576',
    name: 'Sam Taylor',
    email: 'sam.taylor@contoso.example',
    jobTitle: 'IT Operations Lead',
    appRoles: [],
    description: 'Action owner: is given corrective actions and marks them done.',
  },
  {
    id: '66705092-02f8-477a-8c28-393108178feb',
    name: 'Maria Garcia',
    email: 'maria.garcia@contoso.example',
    jobTitle: 'HR Business Partner',
    appRoles: [],
    description: 'Action owner: is given corrective and training actions and marks them done.',
  },
  {
    id: 'af93436a-e7a0-4c8e-b75c-e0e209da870e',
    name: 'Chris Walker',
    email: 'chris.walker@contoso.example',
    jobTitle: 'Chief Operating Officer',
    appRoles: ['SteeringCommittee'],
    description: 'Steering Committee member: reviews CARs, trends and decisions.',
  },
  {
    id: 'f55a8797-d58f-4c2c-8042-b1ca4685589a',
    name: 'Fatima Khan',
    email: 'fatima.khan@contoso.example',
    jobTitle: 'Head of Compliance',
    appRoles: ['SteeringCommittee'],
    description: 'Steering Committee member: reviews CARs, trends and decisions.',
  },
];
