/** A person in the local-mode directory; `id` plays the Entra object id (`oid`). */
export interface SamplePerson {
  id: string;
  name: string;
  email: string;
  jobTitle: string;
  /** App-role values put in the `roles` claim of this person's tokens. */
  appRoles: readonly string[];
  description: string;
  /** A B2B guest of the tenant (user principal name with #EXT#). */
  guest?: true;
  /** The user principal name, when it is not the mail address (guests). */
  userPrincipalName?: string;
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
  {
    id: '5b7e0c1a-3f2d-4c8e-9a61-0d2f4b6e8a10',
    name: 'Zhang Wei 张伟',
    email: 'zhang.wei@contoso.example',
    jobTitle: 'Network Engineer',
    appRoles: [],
    description: 'Colleague: can be given actions and consulted.',
  },
  {
    id: 'c8a2e4f6-1b3d-4e5f-8a7b-9c0d1e2f3a4b',
    name: 'Olena Kovalenko Олена Коваленко',
    email: 'olena.kovalenko@contoso.example',
    jobTitle: 'Data Protection Officer',
    appRoles: [],
    description: 'Colleague: can be given actions and consulted.',
  },
  {
    id: '9e1f3a5c-7b2d-4f6e-a8c0-b2d4f6a8c0e2',
    name: 'Layla Haddad ليلى حداد',
    email: 'layla.haddad@contoso.example',
    jobTitle: 'Facilities Manager',
    appRoles: [],
    description: 'Colleague: can be given actions and consulted.',
  },
  {
    id: '2d4f6a8c-0e1b-4a3c-9d5e-7f8a9b0c1d2e',
    name: 'Søren Østergaard',
    email: 'soren.ostergaard@contoso.example',
    jobTitle: 'Developer',
    appRoles: [],
    description: 'Colleague: can be given actions and consulted.',
  },
  {
    id: 'e3b5d7f9-2a4c-4e6a-8b0d-1f3a5c7e9b1d',
    name: 'Nguyễn Thị Lan',
    email: 'lan.nguyen@contoso.example',
    jobTitle: 'QA Analyst',
    appRoles: [],
    description: 'Colleague: can be given actions and consulted.',
  },
  {
    id: '7a9c1e3f-5b7d-4f9a-b1c3-d5e7f9a1b3c5',
    name: 'Lars Berg (Fabrikam)',
    email: 'lars.berg@fabrikam.example',
    userPrincipalName: 'lars.berg_fabrikam.example#EXT#@contoso.onmicrosoft.com',
    guest: true,
    jobTitle: 'Supplier: managed network service',
    appRoles: [],
    description: 'Guest from a supplier: can be given actions and consulted.',
  },
  {
    id: 'b4d6f8a0-c2e4-4a6c-8e0a-2c4e6a8c0e2a',
    name: 'Kenji Sato 佐藤健二 (Northwind)',
    email: 'kenji.sato@northwind.example',
    userPrincipalName: 'kenji.sato_northwind.example#EXT#@contoso.onmicrosoft.com',
    guest: true,
    jobTitle: 'Contractor: software development',
    appRoles: [],
    description: 'Guest contractor: can be given actions and consulted.',
  },
  {
    id: '3c5e7a9b-1d3f-4b5d-9f1a-3b5d7f9b1d3f',
    name: 'Aoife Ní Bhriain',
    email: 'aoife.nibhriain@contoso.example',
    jobTitle: 'Payroll Officer',
    appRoles: [],
    description: 'Colleague: can be given actions and consulted.',
  },
  {
    id: '6f8a0c2e-4a6c-4e8a-a0c2-e4a6c8e0a2c4',
    name: 'Mateo Fernández',
    email: 'mateo.fernandez@contoso.example',
    jobTitle: 'Warehouse Supervisor',
    appRoles: [],
    description: 'Colleague: can be given actions and consulted.',
  },
];

/** The two sample groups, for trainees named by group. Members by id. */
export const SAMPLE_GROUPS: readonly {
  readonly id: string;
  readonly name: string;
  readonly memberIds: readonly string[];
}[] = [
  {
    id: '0f1e2d3c-4b5a-4697-8877-665544332211',
    name: 'Service Desk',
    memberIds: [
      '4202fded-0b11-4705-8c6e-f47b5e5b7819',
      '433fa2e5-018e-4102-a206-f30c9a4fe576',
      '5b7e0c1a-3f2d-4c8e-9a61-0d2f4b6e8a10',
      '7a9c1e3f-5b7d-4f9a-b1c3-d5e7f9a1b3c5',
    ],
  },
  {
    id: '1a2b3c4d-5e6f-4071-8293-a4b5c6d7e8f9',
    name: 'Engineering',
    memberIds: [
      '76beb7aa-85d9-46c2-bc0a-dd1ed29addcb',
      '2d4f6a8c-0e1b-4a3c-9d5e-7f8a9b0c1d2e',
      'e3b5d7f9-2a4c-4e6a-8b0d-1f3a5c7e9b1d',
      'b4d6f8a0-c2e4-4a6c-8e0a-2c4e6a8c0e2a',
    ],
  },
];
